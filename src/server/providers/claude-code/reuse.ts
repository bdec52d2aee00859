import { CLIENT_PREFIX } from "./client-tools";
import type { LiveProcess } from "./live";
import { processKey, type TurnConfig } from "./options";

/**
 * When a process that served a stateless request may be cleared (`/clear`) and serve the same caller
 * again. `/clear` empties the conversation, the file-read state and the session id, but not what
 * lives on in the process beyond the conversation: loops and scheduled wake-ups ("loops carry
 * over", says its help), background shells, monitors, subagents and workflows, deferred tools loaded
 * with ToolSearch, a web fetch cache, a changed working directory. So a process is reused only when
 * every tool Claude called is one of these, which leave nothing behind (checked in
 * tests/integration/claude-reuse.test.ts); any other tool call ends it instead.
 */
const LEAVE_NOTHING = new Set(["Read", "Glob", "Grep", "LS", "NotebookRead", "StructuredOutput"]);

export const leavesNothing = (tools: Iterable<string>): boolean =>
  [...tools].every((t) => t.startsWith(CLIENT_PREFIX) || LEAVE_NOTHING.has(t));

/** What a process is fixed to: reuse only within one configuration (model, system prompt, tools, response_format). */
export const reuseKey = (c: TurnConfig): string => JSON.stringify([c.model, processKey(c)]);

/** The caller whose words a process may hold: an API key's id, or "" for the admin (and an open gateway's callers). */
export const callerOf = (keyId: string | null | undefined): string => keyId ?? "";

/** What a request needs from the pool. */
export interface Want {
  /** Whose request it is (reuse.ts callerOf). */
  caller: string;
  /** Its configuration (reuse.ts reuseKey): a used process serves only its own. */
  key: string;
  config: TurnConfig;
  /** A ready process (cleared, or never used) of this caller and configuration may serve it. */
  reuseOk: boolean;
  /** A stateless request: its process may come back, cleared, when the turn ends. */
  stateless: boolean;
  /** A spare may serve it. */
  spareOk: boolean;
  /** Starts a new process for it. */
  make(): LiveProcess;
}

/** Whether a ready process may serve this request: its caller's or nobody's yet, and its configuration. */
export const fits = (proc: LiveProcess, want: Want): boolean =>
  proc.reuseKey === want.key && (proc.owner === null || proc.owner === want.caller);
