// WAL checkpoints off the gateway's thread. SQLite copies the WAL back into the database file (and
// fsyncs both) on the connection whose commit crosses wal_autocheckpoint: the record writer's, on the
// thread that serves requests; measured with bench/writer.mjs that was about half of what a commit
// costs. A worker thread with a connection of its own runs PASSIVE checkpoints (they never block a
// writer) shortly after commits instead; the record writer keeps a higher wal_autocheckpoint as a
// fallback, used only if the worker falls far behind. When the worker cannot run (better-sqlite3 not
// found from it, a worker error), `running` turns false and the writer checkpoints itself as before.
import path from "node:path";
import { Worker } from "node:worker_threads";

/** At most one checkpoint this often (ms), after a commit. */
export const CHECKPOINT_EVERY_MS = 100;

// Plain CommonJS run by the worker (eval): Next.js does not bundle it.
const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const fs = require("node:fs");
let Database;
try {
  const paths = [process.cwd(), ...workerData.paths];
  Database = require(require.resolve("better-sqlite3", { paths }));
} catch (e) {
  parentPort.postMessage({ unavailable: String(e && e.message || e) });
}
let db = null;
let ino = null;
const close = () => { try { if (db) db.close(); } catch {} db = null; ino = null; };
if (Database) parentPort.on("message", () => {
  let ok = false;
  try {
    // the same deleted/replaced-file rule as the writer: never checkpoint into an old inode
    const st = fs.statSync(workerData.file, { throwIfNoEntry: false });
    if (!st) close();
    else {
      if (db && st.ino !== ino) close();
      if (!db) {
        db = new Database(workerData.file, { fileMustExist: true, timeout: 0 });
        ino = st.ino;
      }
      db.pragma("wal_checkpoint(PASSIVE)");
      ok = true;
    }
  } catch {
    close();
  }
  parentPort.postMessage({ ok });
});
`;

export class Checkpointer {
  /** Checkpoints run (finished) by the worker. */
  checkpoints = 0;
  private worker: Worker | null = null;
  private busy = false;
  private lastAt = Number.NEGATIVE_INFINITY;

  constructor(readonly file: string) {
    try {
      const paths = process.argv[1] ? [path.dirname(process.argv[1])] : [];
      const w = new Worker(WORKER, { eval: true, workerData: { file, paths } });
      w.unref();
      w.on("message", (m: { ok?: boolean; unavailable?: string }) => {
        this.busy = false;
        if (m.unavailable) this.stop();
        else if (m.ok) this.checkpoints++;
      });
      w.on("error", () => this.stop());
      w.on("exit", () => {
        this.worker = null;
      });
      this.worker = w;
    } catch {
      this.worker = null;
    }
  }

  /** False once the worker cannot run: the writer then checkpoints on its own connection. */
  get running(): boolean {
    return this.worker !== null;
  }

  /** After a commit: asks for a checkpoint (one at a time, at most every CHECKPOINT_EVERY_MS). */
  wrote(now: number): void {
    if (!this.worker || this.busy || now - this.lastAt < CHECKPOINT_EVERY_MS) return;
    this.busy = true;
    this.lastAt = now;
    this.worker.postMessage(0);
  }

  stop(): void {
    const w = this.worker;
    this.worker = null;
    void w?.terminate();
  }
}
