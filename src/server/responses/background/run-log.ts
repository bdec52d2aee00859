import "server-only";
import { log } from "../../log";
import { ResponseSnapshot } from "../snapshot";
import { type LoggedEvent, writeRun } from "./store";

/** How long events gather before they are written (one transaction per batch). */
const FLUSH_MS = 100;
/** How often the snapshot (the whole Response so far) is written again while only its output grows. */
const SNAPSHOT_MS = 250;

/**
 * A background run's log: every event it emits, in order, written in small batches with the snapshot
 * they give (what polling shows). One write at a time, so the log only grows in sequence order and a
 * reader that sees a batch sees all of it. A failed write is retried with the next one; a write refused
 * because the run is no longer this instance's calls `lost`.
 */
export class RunLog {
  readonly snapshot: ResponseSnapshot;
  private pending: LoggedEvent[] = [];
  private chain: Promise<void> = Promise.resolve();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  private snapshotAt = 0;
  private snapshotStatus = "";

  constructor(
    private readonly id: string,
    private readonly runner: string,
    initial: Record<string, unknown>,
    private readonly leaseMs: number,
    private readonly hooks: { lost(): void; written(): void },
  ) {
    this.snapshot = new ResponseSnapshot(initial);
  }

  get status(): string {
    return String(this.snapshot.response.status);
  }

  push(event: Record<string, unknown>): void {
    if (this.closed) return;
    // Logged as it came, before the snapshot takes (and later grows) its items.
    this.pending.push({ seq: Number(event.sequence_number), type: String(event.type), json: JSON.stringify(event) });
    this.snapshot.apply(event);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush(false);
    }, FLUSH_MS);
  }

  /** Writes what is pending; `final` marks the log complete (readers stop after it). */
  flush(final: boolean): Promise<void> {
    if (final) {
      this.closed = true;
      clearTimeout(this.timer);
    }
    this.chain = this.chain.then(() => this.write(final));
    return this.chain;
  }

  private async write(final: boolean, attempt = 0): Promise<void> {
    const events = this.pending.splice(0);
    if (!events.length && !final) return;
    // The snapshot goes with the last write, a change of status, and otherwise every SNAPSHOT_MS.
    const now = Date.now();
    const withBody = final || this.status !== this.snapshotStatus || now - this.snapshotAt >= SNAPSHOT_MS;
    try {
      const held = await writeRun(this.id, this.runner, {
        events,
        body: withBody ? JSON.stringify(this.snapshot.response) : null,
        status: this.status,
        leaseUntil: new Date(Date.now() + this.leaseMs),
        final,
      });
      if (!held) this.hooks.lost();
      if (withBody) {
        this.snapshotAt = now;
        this.snapshotStatus = this.status;
      }
    } catch (e) {
      this.pending.unshift(...events);
      log({ level: "error", msg: `background response ${this.id}: write failed`, error: String(e) }, "stderr");
      // A final write is retried here (a few times); a batch goes with the next one.
      if (final && attempt < 5) {
        await new Promise((r) => setTimeout(r, 200 * (attempt + 1)));
        return this.write(final, attempt + 1);
      }
    } finally {
      this.hooks.written();
    }
  }
}
