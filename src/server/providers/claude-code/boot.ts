import { log } from "../../log";
import { claudePool } from "./pool";

/** At server start (instrumentation): start the ready spares before the first request needs one. */
export function startClaudePool(): void {
  try {
    claudePool();
  } catch (e) {
    log({ level: "warn", msg: "claude pool not started", error: String(e).slice(0, 300) }, "stderr");
  }
}
