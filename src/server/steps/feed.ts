// A run's steps as they end, to the client (issue 25): the Responses API's mcp_call items, or (opt-in,
// `X-Agent-Steps: reasoning`) a short progress line per step in the reasoning stream of chat completions
// and Anthropic Messages. The chat service wraps the provider's events with `withSteps`, which yields a
// step as soon as it ends, also while the provider is silent (a long command, a run of tool calls).
import { CLIENT_PREFIX } from "../providers/claude-code/client-tools";
import type { ChatEvent, RunResult } from "../providers/types";
import { stepLog } from "./log";
import type { Step } from "./types";

/** How a request wants its steps: as Responses items (`items`), as reasoning lines, or not at all. */
export type StepsMode = "items" | "reasoning" | "off";

/**
 * `X-Agent-Steps`: `reasoning` | `items` | `off`; absent: items on the Responses API, nothing elsewhere
 * (the wire of chat completions and Anthropic Messages is unchanged unless the client asks).
 */
export function stepsMode(header: string | null | undefined, responses: boolean): StepsMode {
  const h = header?.trim().toLowerCase();
  if (h === "reasoning" || h === "off") return h;
  if (h === "items" && responses) return "items";
  return responses ? "items" : "off";
}

/** Tool calls the server ran and saw end (a client's own tools are its function calls, not steps to show). */
const shown = (s: Step) => s.kind === "tool" && s.outcome !== null && !s.tool?.startsWith(CLIENT_PREFIX);

/** The steps of one request as they end. */
export class StepFeed {
  private pending: Step[] = [];
  private wake: (() => void) | null = null;
  private woken: Promise<void>;

  constructor(requestId: string) {
    this.woken = this.arm();
    stepLog(requestId).listener = (step, phase) => {
      if (phase !== "end" || !shown(step)) return;
      this.pending.push({ ...step });
      this.wake?.();
    };
  }

  private arm(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  /** Settles when a step has ended since the last drain. */
  ready(): Promise<void> {
    return this.pending.length ? Promise.resolve() : this.woken;
  }

  drain(): Step[] {
    const out = this.pending;
    this.pending = [];
    this.woken = this.arm();
    return out;
  }
}

/** One step as a short line of progress (a sub-agent's indented). */
export function progressLine(s: Step): string {
  const what = s.summary ? `${s.tool}: ${s.summary}` : (s.tool ?? "tool");
  const size = s.resultBytes != null ? `, ${s.resultBytes} B` : "";
  return `${s.parentSeq !== null ? "  " : ""}▸ ${what} (${s.outcome}${size}, ${s.durationMs ?? 0} ms)\n`;
}

/** The provider's events with the run's steps put in as they end (as `step` events, or reasoning lines). */
export async function* withSteps(
  events: AsyncGenerator<ChatEvent, RunResult>,
  feed: StepFeed,
  mode: Exclude<StepsMode, "off">,
): AsyncGenerator<ChatEvent, RunResult> {
  const asEvent = (step: Step): ChatEvent =>
    mode === "reasoning" ? { type: "reasoning", text: progressLine(step) } : { type: "step", step };
  let done = false;
  try {
    let next = events.next();
    for (;;) {
      const woke = await Promise.race([next.then((r) => ({ r })), feed.ready().then(() => null)]);
      for (const s of feed.drain()) yield asEvent(s);
      if (!woke) continue;
      if (woke.r.done) {
        done = true;
        return woke.r.value;
      }
      yield woke.r.value;
      next = events.next();
    }
  } finally {
    if (!done) await events.return(undefined as never).catch(() => {});
  }
}
