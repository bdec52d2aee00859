export const sqliteSchemaPath: string;
export const pgSchemaPath: string;
export function pgSchemaOf(sqlite: string): string;
