export const root: string;
export function depsMismatch(dir?: string): string | null;
export function ensureDeps(): void;
export function ensurePrismaClient(): void;
export function buildInputs(): string[];
export function ensureBuild(): void;
export function migrate(dbPath: string): void;
export function loadEnv(source?: Record<string, string | undefined>): Promise<Record<string, unknown>>;
export function pendingMigrations(dbPath: string): string[] | null;
