/**
 * Slows down guessing: after `free` failures from one client, each further attempt must wait
 * twice as long as the one before (1 s, 2 s, 4 s … up to `maxMs`); an attempt made too early is
 * refused without checking anything. Failures are forgotten `forgetMs` after the last one.
 * In memory, per instance: several instances each keep their own count.
 */
export class FailureThrottle {
  private readonly seen = new Map<string, { count: number; last: number }>();

  constructor(
    private readonly free = 5,
    private readonly maxMs = 60_000,
    private readonly forgetMs = 15 * 60_000,
  ) {}

  /** Milliseconds this client must still wait before its next attempt (0: go ahead). */
  waitMs(client: string, now = Date.now()): number {
    const s = this.seen.get(client);
    if (!s) return 0;
    if (now - s.last > this.forgetMs) {
      this.seen.delete(client);
      return 0;
    }
    if (s.count < this.free) return 0;
    const delay = Math.min(this.maxMs, 1000 * 2 ** (s.count - this.free));
    return Math.max(0, s.last + delay - now);
  }

  fail(client: string, now = Date.now()): void {
    const s = this.seen.get(client);
    this.seen.set(client, { count: (s && now - s.last <= this.forgetMs ? s.count : 0) + 1, last: now });
    if (this.seen.size > 10_000) this.seen.delete(this.seen.keys().next().value as string);
  }

  succeed(client: string): void {
    this.seen.delete(client);
  }
}
