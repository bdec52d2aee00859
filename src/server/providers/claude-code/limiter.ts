import { ApiError } from "../../openai/errors";

/**
 * At most `max` holders at once; at most `maxQueue` waiting, beyond which acquire() fails with 429.
 * Waiting ends early when the signal aborts.
 */
export class Limiter {
  private active = 0;
  private readonly waiting: Array<{ grant: () => void }> = [];

  constructor(
    readonly max: number,
    readonly maxQueue: number,
  ) {}

  get running(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  async acquire(signal: AbortSignal): Promise<() => void> {
    if (signal.aborted) throw signal.reason;
    if (this.active < this.max) {
      this.active++;
      return this.releaser();
    }
    if (this.waiting.length >= this.maxQueue) {
      throw new ApiError(
        429,
        `Too many Claude Code requests: ${this.active} running and ${this.waiting.length} queued (CLAUDE_MAX_CONCURRENCY=${this.max}, CLAUDE_MAX_QUEUE=${this.maxQueue}). Retry later.`,
        { code: "concurrency_limit", headers: { "retry-after": "5" } },
      );
    }
    return new Promise((resolve, reject) => {
      const entry = {
        grant: () => {
          signal.removeEventListener("abort", onAbort);
          resolve(this.releaser());
        },
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(entry);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal.reason);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.waiting.push(entry);
    });
  }

  private releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = this.waiting.shift();
      if (next) next.grant();
      else this.active--;
    };
  }
}
