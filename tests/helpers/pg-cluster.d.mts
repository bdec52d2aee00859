export function pgBinDir(): string;
export function startCluster(
  settings?: string[],
): Promise<{ port: number; url(database: string): string; stop(): void }>;
