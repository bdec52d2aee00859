// The one queue of request records, whichever database takes them: writer.ts (SQLite) and pg-writer.ts
// (PostgreSQL) add only `commit` (one batch in one transaction), `isBusy` (a failure that only means
// "another writer holds the database now") and `probeWrite`. Here: group commit (every op queued during
// one turn of the event loop goes into one batch; a start waits BEGIN_WINDOW_MS for company and for its
// own end; under load an end gathers with others for up to gatherMs), coalescing (one record per request
// per batch), retries (busy: a few ms; failing: back-off up to 1 s, so records survive a database that
// comes back), give-up (after GIVE_UP_MS, or past MAX_QUEUE) and the counters the store reports.
// Costs: bench/writer.mjs (it times this class's enqueue and flush through RecordWriter).
import type { Step } from "../steps/types";
import type { RequestContentRow, RequestRow } from "./store";

/** One record to write: a finish op is one itself; a begin op's snapshot gives one. */
export interface RecordEntry {
  row: RequestRow;
  content: RequestContentRow | null;
  /** The run's steps (steps/), written with a final record only; null or empty: none. */
  steps?: Step[] | null;
}

export type RecordOp =
  | { kind: "begin"; id: string; snapshot: () => RecordEntry }
  | { kind: "finish"; id: string; row: RequestRow; content: RequestContentRow | null; steps?: Step[] | null };

interface Queued {
  op: RecordOp;
  queuedAt: number;
  failed: boolean;
  done: (ok: boolean) => void;
}

/** A queued record is given up after this long (logged by the recorder), or when the queue is this long. */
export const GIVE_UP_MS = 10 * 60_000;
/** How long a request's start waits to be written with others (group commit). */
export const BEGIN_WINDOW_MS = 5;
/** Under load (a commit less than this ago), an end waits for company until this long after that commit. */
export const GATHER_MS = 2;
/** A turn of the event loop shorter than this (ms) had nothing else to do: a gathering batch is committed. */
const IDLE_TURN_MS = 0.05;
export const MAX_QUEUE = 20_000;

/** A failure's first line, for `error` and the logs. */
export const reason = (e: unknown) =>
  String((e as Error)?.message ?? e)
    .split("\n")[0]!
    .slice(0, 200);

export abstract class RecordQueue {
  failedWrites = 0;
  lost = 0;
  /** Transactions committed. */
  commits = 0;
  /** Why the last write failed, while writes fail. */
  error: string | null = null;
  private queue: Queued[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private timerAt = Number.POSITIVE_INFINITY;
  private immediate = false;
  private gathering = false;
  /** A batch is being committed (asynchronously: PostgreSQL); the next waits for it. */
  private writing = false;
  private backoff = 0;
  protected lastCommitAt = Number.NEGATIVE_INFINITY;

  /** gatherMs 0: no gather window (an end is written at the next turn of the event loop). */
  constructor(private readonly gatherMs: number) {}

  /**
   * Writes a batch's records (one per request, in queue order) in one transaction, rolled back when
   * it fails: throws (synchronous database) or rejects (asynchronous one). The whole batch is retried.
   */
  protected abstract commit(entries: RecordEntry[]): void | Promise<void>;
  /** A failure that only means "another writer holds the database now": retried in 5 ms, not counted. */
  protected abstract isBusy(e: unknown): boolean;
  /** A cheap real write (or round trip): throws, or rejects, when the database cannot take one. */
  protected abstract probeWrite(): void | Promise<void>;
  /** After a failure other than busy: a connection that saw it is not trusted again. */
  protected dropConnection(): void {}
  /** After each commit (SQLite: WAL checkpoints). */
  protected afterCommit(): void {}

  enqueue(op: RecordOp): Promise<boolean> {
    return new Promise((done) => {
      this.queue.push({ op, queuedAt: Date.now(), failed: false, done });
      if (this.queue.length > MAX_QUEUE) this.giveUp(this.queue.shift()!);
      // A start waits a few ms for company (and for its own end: a request done by then is written
      // once, final); an end is written at the next turn of the event loop, as its caller waits, or,
      // when the last commit was less than gatherMs ago (load), with the ends of the next turns (see
      // gather). An idle writer commits at once.
      if (op.kind === "begin") this.schedule(BEGIN_WINDOW_MS, false);
      else if (performance.now() - this.lastCommitAt < this.gatherMs) this.gather();
      else this.schedule(0, true);
    });
  }

  /** Rows still waiting to be written (a batch being committed is not counted). */
  get pending(): number {
    return this.queue.length;
  }

  /**
   * Null when the database takes writes, else why not. A synchronous probe answers now; an asynchronous
   * one answers with the last known state and updates `error` for the next call.
   */
  probe(): string | null {
    let pending: void | Promise<void>;
    try {
      pending = this.probeWrite();
    } catch (e) {
      if (this.isBusy(e)) return this.error;
      this.dropConnection();
      return reason(e);
    }
    if (!pending) {
      if (this.queue.length === 0) this.error = null;
      return this.error;
    }
    pending.then(
      () => {
        if (this.queue.length === 0) this.error = null;
      },
      (e) => {
        this.error = reason(e);
      },
    );
    return this.error;
  }

  /** Writes (or, on an asynchronous database, starts writing) everything queued now (used at shutdown). */
  flushNow(): void {
    this.flush();
  }

  /**
   * Commits the queue once gatherMs have passed since the last commit, or as soon as a turn of the
   * event loop did (almost) nothing else: it never leaves the thread idle, and adds no timer delay.
   * The first turn is always let by (it is the one the end was queued in).
   */
  private gather() {
    if (this.gathering || this.immediate) return;
    this.gathering = true;
    let last = Number.NEGATIVE_INFINITY;
    const tick = () => {
      const now = performance.now();
      if (this.queue.length > 0 && now - this.lastCommitAt < this.gatherMs && now - last >= IDLE_TURN_MS) {
        last = now;
        setImmediate(tick);
        return;
      }
      this.gathering = false;
      this.flush();
    };
    setImmediate(tick);
  }

  /** Flushes at the next turn of the event loop (delay 0) or after `delay` ms, unless one is due sooner. */
  private schedule(delay: number, keepAlive: boolean) {
    if (delay <= 0) {
      if (this.immediate) return;
      this.immediate = true;
      setImmediate(() => {
        this.immediate = false;
        this.flush();
      });
      return;
    }
    const at = performance.now() + delay;
    if (this.timer) {
      if (this.timerAt <= at) return;
      clearTimeout(this.timer);
    }
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerAt = Number.POSITIVE_INFINITY;
      this.flush();
    }, delay);
    // A start's window and a retry's back-off do not keep the process alive; an end someone waits for does.
    if (!keepAlive) this.timer.unref?.();
  }

  /**
   * One record per request: its last end, else its last start (a start whose end is in the batch is
   * not written, and its snapshot not taken). Snapshots are taken now, so they see what the request
   * learned meanwhile (a retried batch takes them again).
   */
  private entries(batch: Queued[]): RecordEntry[] {
    const chosen = new Map<string, number>();
    for (let i = 0; i < batch.length; i++) {
      const { op } = batch[i]!;
      const j = chosen.get(op.id);
      if (j === undefined || op.kind === "finish" || batch[j]!.op.kind === "begin") chosen.set(op.id, i);
    }
    const out: RecordEntry[] = [];
    for (let i = 0; i < batch.length; i++) {
      const { op } = batch[i]!;
      if (chosen.get(op.id) === i) out.push(op.kind === "begin" ? op.snapshot() : op);
    }
    return out;
  }

  private flush() {
    if (this.writing || this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    let pending: void | Promise<void>;
    try {
      pending = this.commit(this.entries(batch));
    } catch (e) {
      this.failed(batch, e);
      return;
    }
    if (!pending) {
      this.committed(batch);
      return;
    }
    this.writing = true;
    pending.then(
      () => {
        this.writing = false;
        this.committed(batch);
        // what was queued while this batch was being written
        if (this.queue.length > 0) this.schedule(0, true);
      },
      (e) => {
        this.writing = false;
        this.failed(batch, e);
      },
    );
  }

  private committed(batch: Queued[]) {
    this.commits++;
    this.lastCommitAt = performance.now();
    this.error = null;
    this.backoff = 0;
    for (const q of batch) q.done(true);
    this.afterCommit();
  }

  private failed(batch: Queued[], e: unknown) {
    const busy = this.isBusy(e);
    if (!busy) {
      this.dropConnection();
      this.error = reason(e);
      for (const q of batch) {
        if (!q.failed) this.failedWrites++;
        q.failed = true;
      }
    }
    const now = Date.now();
    const keep = batch.filter((q) => {
      if (now - q.queuedAt < GIVE_UP_MS) return true;
      this.giveUp(q);
      return false;
    });
    this.queue = [...keep, ...this.queue];
    // Busy (another writer): retry in a few ms. Failing: back off up to 1 s.
    this.backoff = busy ? 5 : Math.min(1_000, Math.max(50, this.backoff * 2));
    this.schedule(this.backoff, false);
  }

  private giveUp(q: Queued) {
    this.lost++;
    if (!q.failed) this.failedWrites++;
    q.done(false);
  }
}
