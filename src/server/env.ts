import "server-only";
import { type Env, parseEnv } from "./env-schema";

export type { Env };

let cached: Env | undefined;

/** The validated configuration; the only place the server reads process.env. */
export function env(): Env {
  if (cached) return cached;
  const result = parseEnv(process.env);
  if (!result.ok) throw new Error(result.message);
  cached = result.env;
  return cached;
}

/** The directories of PATH, for finding executables. */
export function searchPath(): string[] {
  return (process.env.PATH ?? "").split(":").filter(Boolean);
}
