export interface VarMeta {
  meaning?: string;
  unset?: string;
  note?: string;
  default?: string;
}
export interface Topic {
  title: string;
  intro?: string;
  prefixes?: RegExp[];
  vars: Record<string, VarMeta>;
}
export const PAGE: string;
export function schemaComments(source: string): Record<string, string>;
export function spelled(name: string, value: unknown): string | null;
export function renderConfigDoc(input: {
  names: string[];
  defaults: [Record<string, unknown>, Record<string, unknown>];
  described?: Record<string, string>;
  comments?: Record<string, string>;
  topics?: Topic[];
}): string;
export function configDoc(): Promise<string>;
