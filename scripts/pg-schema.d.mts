export const sqliteSchemaPath: string;
export const pgSchemaPath: string;
/** Per model, the Int fields that are BigInt on PostgreSQL (the rollups' sums and counts). */
export const PG_BIGINT: Record<string, readonly string[]>;
export function pgSchemaOf(sqlite: string): string;
