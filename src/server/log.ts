/**
 * The gateway's log: one JSON object per line. Written straight to the process's stream, not through
 * `console` (Next.js wraps console with per-call work of its own; this runs on every request).
 */
export interface LogEntry {
  level: "info" | "warn" | "error";
  msg: string;
  [field: string]: unknown;
}

export function log(entry: LogEntry, stream: "stdout" | "stderr" = "stdout"): void {
  process[stream].write(`${JSON.stringify(entry)}\n`);
}
