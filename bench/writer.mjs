// `node bench/writer.mjs`: what recording one request costs the record writer (src/server/usage/writer.ts),
// in µs of the gateway's thread per row, on a migrated temporary database (WAL, synchronous NORMAL, as the
// writer opens it). Two parts, both in this one run:
//  1. The SQL, split (better-sqlite3 directly, one transaction per batch of 1, 2, 4, 16 and 64 rows): the
//     Request row alone (table + primary key), + its 8 secondary indexes, + the rollup triggers, + the
//     RequestContent row, + ON CONFLICT DO UPDATE instead of a plain INSERT, + named instead of positional
//     parameters; the COMMIT apart; and a request whose `running` row was written first (begin, then finish).
//  2. The writer itself (writer.ts, compiled with the repository's TypeScript) under a simulated load of 16
//     concurrent requests on a busy event loop: requests/s, rows per commit and writer CPU per request, with
//     short requests (their start is coalesced away) and long ones (their `running` row is written first).
//     `--before REV` also runs writer.ts as it was at git revision REV, side by side.
// Prints the tables and writes them into bench/results.md (between the bench:writer markers).
//   node bench/writer.mjs [--rows 3000] [--runs 3] [--seconds 3] [--before REV] [--no-write]
//   BENCH_GATHER=1,4 adds rows for those gather windows (ms) to the load table.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import Database from "better-sqlite3";
import ts from "typescript";
import { migrate, root } from "../scripts/lib.mjs";
import { writeSection } from "./results.mjs";

const argv = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1] : fallback;
};
const ROWS = Number(opt("rows", 3000));
const RUNS = Number(opt("runs", 3));
const SECONDS = Number(opt("seconds", 3));
const BEFORE = opt("before", null);
const WRITE = !argv.includes("--no-write");
const BATCHES = [1, 2, 4, 16, 64];

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cc-bridge-writer-bench-"));
const hr = () => Number(process.hrtime.bigint()) / 1e3; // µs
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// ---------------------------------------------------------------------------------------------------------
// Rows like the recorder's: a non-streamed Ollama chat, random ids, the current hour, a short prompt/answer.
// The columns as writer.ts writes them (its own list, from the compiled module).
const usage = "src/server/usage";
const nowModule = await loadWriter((n) => fs.readFileSync(path.join(root, usage, `${n}.ts`), "utf8"), "now");
const { COLUMNS } = nowModule;
let seq = 0;
// Ids as the gateway makes them (src/server/http/context.ts): time first since this change, random before.
const randomId = () =>
  `req_${(Math.random() * 2 ** 52).toString(16).padStart(13, "0")}${(seq++).toString(16).padStart(11, "0")}`;
const orderedId = () =>
  `req_${Date.now().toString(16).padStart(12, "0")}${Math.floor(Math.random() * 2 ** 48)
    .toString(16)
    .padStart(12, "0")}${(seq++).toString(16).padStart(12, "0")}`;
let newId = randomId;
const PROMPT = JSON.stringify([{ role: "user", content: "Hello, how are you?" }]);
function makeRow(id, running = false) {
  const d = 3 + Math.floor(Math.random() * 40);
  return {
    id,
    createdAt: new Date(),
    model: "ollama/bench",
    provider: "ollama",
    upstreamModel: running ? null : "bench",
    stream: false,
    sessionId: null,
    status: running ? "running" : "ok",
    httpStatus: running ? 0 : 200,
    errorType: null,
    errorCode: null,
    errorMessage: null,
    finishReason: running ? null : "stop",
    promptTokens: running ? 0 : 5,
    completionTokens: running ? 0 : 3,
    totalTokens: running ? 0 : 8,
    cachedTokens: 0,
    costUsd: null,
    durationMs: running ? 0 : d,
    ttftMs: running ? null : d - 1,
    userAgent: "bench/1.0",
    clientAddress: "127.0.0.1",
    endpoint: "/v1/chat/completions",
    requestedModel: null,
    keyId: null,
    parentRequestId: null,
    toolWaitMs: null,
  };
}
const content = (running) => ({ prompt: PROMPT, answer: running ? "" : "Hello there!" });

// The two ways of binding a row: named (an object per row, as writer.ts did) and positional (one array, reused).
function named(row) {
  const p = {};
  for (const c of COLUMNS) {
    const v = row[c];
    p[c] = v instanceof Date ? v.getTime() : typeof v === "boolean" ? (v ? 1 : 0) : (v ?? null);
  }
  p.endpoint ??= "/v1/chat/completions";
  return p;
}
const cells = new Array(COLUMNS.length);
function positional(row) {
  for (let i = 0; i < COLUMNS.length; i++) {
    const v = row[COLUMNS[i]];
    cells[i] = v instanceof Date ? v.getTime() : typeof v === "boolean" ? (v ? 1 : 0) : (v ?? null);
  }
  cells[22] ??= "/v1/chat/completions";
  return cells;
}

const cols = COLUMNS.map((c) => `"${c}"`).join(", ");
const UPDATES = COLUMNS.filter((c) => c !== "id" && c !== "createdAt")
  .map((c) => `"${c}" = excluded."${c}"`)
  .join(", ");
const SQL = {
  insert: `INSERT INTO "Request" (${cols}) VALUES (${COLUMNS.map(() => "?").join(", ")})`,
  upsert: `INSERT INTO "Request" (${cols}) VALUES (${COLUMNS.map(() => "?").join(", ")}) ON CONFLICT ("id") DO UPDATE SET ${UPDATES}`,
  upsertNamed: `INSERT INTO "Request" (${cols}) VALUES (${COLUMNS.map((c) => `@${c}`).join(", ")}) ON CONFLICT ("id") DO UPDATE SET ${UPDATES}`,
  beginNamed: `INSERT INTO "Request" (${cols}) VALUES (${COLUMNS.map((c) => `@${c}`).join(", ")}) ON CONFLICT ("id") DO NOTHING`,
  content: `INSERT INTO "RequestContent" ("requestId", "prompt", "answer") VALUES (?, ?, ?)`,
  contentUpsert: `INSERT INTO "RequestContent" ("requestId", "prompt", "answer") VALUES (?, ?, ?)
    ON CONFLICT ("requestId") DO UPDATE SET "prompt" = excluded."prompt", "answer" = excluded."answer"`,
};

// ---------------------------------------------------------------------------------------------------------
// Databases: the migrated schema with 20,000 records already in it, and two reduced copies.
const template = path.join(dir, "template.db");
migrate(template);
{
  const db = new Database(template);
  db.pragma("journal_mode = WAL");
  const ins = db.prepare(SQL.insert);
  const con = db.prepare(SQL.content);
  db.transaction(() => {
    for (let i = 0; i < 20_000; i++) {
      const id = newId();
      ins.run(positional(makeRow(id)));
      if (i % 5 === 0) con.run(id, PROMPT, "Hello there!");
    }
  })();
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.close();
}
const shapes = {
  full: [],
  noTriggers: ["Request_rollup_insert", "Request_rollup_update", "Request_rollup_delete"].map(
    (t) => `DROP TRIGGER "${t}"`,
  ),
};
{
  const db = new Database(template, { readonly: true });
  const idx = db
    .prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'Request' AND sql IS NOT NULL`)
    .all()
    .map((r) => r.name);
  db.close();
  if (idx.length !== 8) console.warn(`bench:writer: expected 8 secondary indexes on Request, found ${idx.length}`);
  shapes.bare = [...shapes.noTriggers, ...idx.map((n) => `DROP INDEX "${n}"`)];
}
let copies = 0;
function fresh(shape, autocheckpoint = null) {
  const file = path.join(dir, `db-${copies++}.db`);
  fs.copyFileSync(template, file);
  const db = new Database(file, { timeout: 0 });
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  for (const s of shapes[shape]) db.exec(s);
  if (autocheckpoint !== null) db.pragma(`wal_autocheckpoint = ${autocheckpoint}`);
  db.pragma("wal_checkpoint(TRUNCATE)");
  return { db, file };
}
const drop = ({ db, file }) => {
  db.close();
  for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
};

// ---------------------------------------------------------------------------------------------------------
// Part 1: the SQL, split. Each case writes ROWS requests in transactions of `batch` rows on a fresh copy;
// `work` is the time inside the transaction (binding included), `commit` the COMMIT (with any checkpoint).
const cases = {
  table: { shape: "bare", run: (s, r) => s.insert.run(positional(r)) },
  indexes: { shape: "noTriggers", run: (s, r) => s.insert.run(positional(r)) },
  triggers: { shape: "full", run: (s, r) => s.insert.run(positional(r)) },
  content: {
    shape: "full",
    run: (s, r) => {
      s.insert.run(positional(r));
      s.content.run(r.id, PROMPT, "Hello there!");
    },
  },
  upsert: {
    shape: "full",
    run: (s, r) => {
      s.upsert.run(positional(r));
      s.contentUpsert.run(r.id, PROMPT, "Hello there!");
    },
  },
  named: {
    shape: "full",
    run: (s, r) => {
      s.upsertNamed.run(named(r));
      s.contentUpsert.run(r.id, PROMPT, "Hello there!");
    },
  },
};
// the same as `named` with no automatic checkpoint on this connection: what the COMMIT costs without them
cases.noCheckpoint = { ...cases.named, autocheckpoint: 0 };
// writer.ts now: positional, temp_store MEMORY, checkpoints on the worker; random and time-ordered ids
cases.nowRandom = { ...cases.upsert, autocheckpoint: 0, tempStore: "MEMORY" };
cases.nowOrdered = { ...cases.nowRandom, ids: orderedId };

function measure(name, batch) {
  const c = cases[name];
  newId = c.ids ?? randomId;
  const h = fresh(c.shape, c.autocheckpoint ?? null);
  if (c.tempStore) h.db.pragma(`temp_store = ${c.tempStore}`);
  const { db } = h;
  const s = Object.fromEntries(Object.entries(SQL).map(([k, v]) => [k, db.prepare(v)]));
  const begin = db.prepare("BEGIN IMMEDIATE");
  const commit = db.prepare("COMMIT");
  let work = 0;
  let com = 0;
  const total = ROWS + 200;
  for (let n = 0; n < total; n += batch) {
    const rows = Array.from({ length: batch }, () => makeRow(newId()));
    const t0 = hr();
    begin.run();
    for (const r of rows) c.run(s, r);
    const t1 = hr();
    commit.run();
    const t2 = hr();
    if (n >= 200) {
      work += t1 - t0;
      com += t2 - t1;
    }
  }
  drop(h);
  return { work: work / ROWS, commit: com / ROWS };
}

/** A request whose `running` row is written first (begin), then completed by its finish: writer.ts's SQL. */
function measureTwoStep(batch, positionalBinding = false) {
  newId = randomId;
  const h = fresh("full");
  const { db } = h;
  const s = Object.fromEntries(Object.entries(SQL).map(([k, v]) => [k, db.prepare(v)]));
  const beginTx = db.prepare("BEGIN IMMEDIATE");
  const commit = db.prepare("COMMIT");
  const bind = positionalBinding ? positional : named;
  const up = positionalBinding ? s.upsert : s.upsertNamed;
  let work = 0;
  let com = 0;
  let started = [];
  const total = ROWS + 200;
  // each transaction: the starts of `batch` new requests and the ends of the `batch` before them
  for (let n = 0; n < total + batch; n += batch) {
    const next = Array.from({ length: batch }, () => newId());
    const t0 = hr();
    beginTx.run();
    for (const id of next) {
      s.beginNamed.run(named(makeRow(id, true)));
      s.contentUpsert.run(id, PROMPT, "");
    }
    for (const id of started) {
      up.run(bind(makeRow(id)));
      s.contentUpsert.run(id, PROMPT, "Hello there!");
    }
    const t1 = hr();
    commit.run();
    const t2 = hr();
    if (n >= 200 && n < total) {
      work += t1 - t0;
      com += t2 - t1;
    }
    started = next;
  }
  drop(h);
  return { work: work / ROWS, commit: com / ROWS };
}

/** JS only: building the parameters of one row, named (an object) or positional (a reused array), ns. */
function bindingJs() {
  const rows = Array.from({ length: 1000 }, () => makeRow(newId()));
  const time = (f) => {
    let sink = 0;
    for (let k = 0; k < 50; k++) for (const r of rows) sink += f(r) ? 1 : 0;
    const t0 = hr();
    for (let k = 0; k < 200; k++) for (const r of rows) sink += f(r) ? 1 : 0;
    return ((hr() - t0) * 1000) / 200_000 + sink * 0;
  };
  return { named: time(named), positional: time(positional) };
}

/** fs.statSync per flush (the deleted-file check): throwing and non-throwing forms, ns. */
function statCost() {
  const f = path.join(dir, "template.db");
  const time = (fn) => {
    for (let i = 0; i < 2000; i++) fn();
    const t0 = hr();
    for (let i = 0; i < 20_000; i++) fn();
    return ((hr() - t0) * 1000) / 20_000;
  };
  return {
    stat: time(() => fs.statSync(f).ino),
    bigintFalseNoThrow: time(() => fs.statSync(f, { throwIfNoEntry: false })?.ino),
  };
}

const f1 = (x) => x.toFixed(1);
console.log(`bench:writer: ${ROWS} rows per case, median of ${RUNS} runs, batch sizes ${BATCHES.join(", ")}`);
const split = [];
for (const batch of BATCHES) {
  const res = {};
  for (const name of Object.keys(cases)) {
    const runs = Array.from({ length: RUNS }, () => measure(name, batch));
    res[name] = { work: median(runs.map((r) => r.work)), commit: median(runs.map((r) => r.commit)) };
  }
  const two = Array.from({ length: RUNS }, () => measureTwoStep(batch));
  res.twoStep = { work: median(two.map((r) => r.work)), commit: median(two.map((r) => r.commit)) };
  split.push({ batch, res });
  process.stdout.write(`  batch ${batch} done\n`);
}
const splitTable = [
  "| rows per commit | Request row (table + PK) | + 8 indexes | + triggers | + content row | + ON CONFLICT DO UPDATE | + named parameters | COMMIT | COMMIT without checkpoints | = writer.ts before (per row) | = writer.ts now, random ids (positional, temp_store MEMORY, checkpoints on the worker) | = writer.ts now, time-ordered ids | begin row, then finish (per request, incl. COMMIT, before) |",
  "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ...split.map(({ batch, res: r }) => {
    const cells = [
      r.table.work,
      r.indexes.work - r.table.work,
      r.triggers.work - r.indexes.work,
      r.content.work - r.triggers.work,
      r.upsert.work - r.content.work,
      r.named.work - r.upsert.work,
      r.named.commit,
      r.noCheckpoint.commit,
      r.named.work + r.named.commit,
      r.nowRandom.work + r.nowRandom.commit,
      r.nowOrdered.work + r.nowOrdered.commit,
      r.twoStep.work + r.twoStep.commit,
    ];
    return `| ${batch} | ${cells.map(f1).join(" | ")} |`;
  }),
].join("\n");
const bj = bindingJs();
const st = statCost();
const splitNotes = `µs per row (median of ${RUNS} runs of ${ROWS} rows; from "+ 8 indexes" to "+ named parameters", what that step adds to the one before it; COMMIT includes the automatic checkpoints; the "=" columns are totals per row, the last one per request, with random ids unless said). JS alone, building one row's parameters: named (an object) ${bj.named.toFixed(0)} ns, positional (a reused array) ${bj.positional.toFixed(0)} ns. The deleted-file check (\`fs.statSync\` per flush): ${st.stat.toFixed(0)} ns (${st.bigintFalseNoThrow.toFixed(0)} ns with \`throwIfNoEntry: false\`).`;
console.log(`\n${splitTable}\n\n${splitNotes}\n`);

// ---------------------------------------------------------------------------------------------------------
// Part 2: writer.ts itself under load. 16 simulated requests at a time, each: begin, CPU work (BUSY_US, the
// gateway's own share of a request), wait `holdMs` (the upstream), CPU work, finish, wait for the record.
const BUSY_US = 900;
const STEPS = 9;
const spin = (us) => {
  const end = hr() + us;
  while (hr() < end);
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// requests written into the database by a load run: its 20,000 seeded rows excluded

/**
 * Compiles src/server/usage/writer.ts and the modules it imports from its folder (read by `read(name)`:
 * this checkout or a git revision) with the repository's TypeScript into a temporary folder; returns the module.
 */
async function loadWriter(read, tag) {
  const bsql = pathToFileURL(createRequire(import.meta.url).resolve("better-sqlite3")).href;
  const out = path.join(dir, tag);
  fs.mkdirSync(out, { recursive: true });
  const compile = (name) => {
    const js = ts.transpileModule(read(name), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    const local = [...js.matchAll(/from "\.\/([\w-]+)"/g)].map((m) => m[1]);
    fs.writeFileSync(
      path.join(out, `${name}.mjs`),
      js
        .replace(/from "better-sqlite3"/, `from ${JSON.stringify(bsql)}`)
        .replace(/from "\.\/([\w-]+)"/g, 'from "./$1.mjs"'),
    );
    for (const l of local) if (!fs.existsSync(path.join(out, `${l}.mjs`))) compile(l);
  };
  compile("writer");
  return import(pathToFileURL(path.join(out, "writer.mjs")).href);
}

// Transactions run (writer.ts writes each batch with better-sqlite3's db.transaction): counted here.
let transactions = 0;
const transaction = Database.prototype.transaction;
Database.prototype.transaction = function (fn) {
  return transaction.call(this, function (...a) {
    transactions++;
    return fn.apply(this, a);
  });
};

/** CPU time of this process's main thread (µs), from /proc (clock ticks of 10 ms: read over seconds). */
const mainThreadCpu = () => {
  const f = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(f[11]) + Number(f[12])) * 10_000;
};

// Time spent in the writer's own calls on this thread (enqueue, and flush: the SQL, COMMIT, checkpoints).
let writerUs = 0;
function instrument(Writer) {
  if (!Writer || Writer.prototype.__timed) return;
  Writer.prototype.__timed = true;
  for (const name of ["enqueue", "flush"]) {
    const f = Writer.prototype[name];
    Writer.prototype[name] = function (...a) {
      const t = hr();
      try {
        return f.apply(this, a);
      } finally {
        writerUs += hr() - t;
      }
    };
  }
}

async function runLoad(Writer, holdMs, opts) {
  instrument(Writer);
  const h = fresh("full");
  h.db.close();
  const w = Writer ? new Writer(h.file, opts) : null;
  const noop = { enqueue: () => new Promise((r) => setImmediate(() => r(true))) };
  const writer = w ?? noop;
  let done = 0;
  let stop = false;
  const client = async () => {
    while (!stop) {
      const id = newId();
      writer.enqueue({ kind: "begin", id, snapshot: () => ({ row: makeRow(id, true), content: content(true) }) });
      // the gateway's work on a request comes in many short steps, each its own turn of the event loop,
      // with the upstream's answer (a few ms, jittered) in the middle
      for (let k = 0; k < STEPS; k++) {
        spin(BUSY_US / STEPS);
        if (k === STEPS >> 1) await sleep(holdMs + Math.random());
        else await new Promise((r) => setImmediate(r));
      }
      await writer.enqueue({ kind: "finish", id, row: makeRow(id), content: content(false) });
      done++;
    }
  };
  // warm up
  const warm = Array.from({ length: 16 }, client);
  await sleep(500);
  stop = true;
  await Promise.all(warm);
  stop = false;
  done = 0;
  transactions = 0;
  writerUs = 0;
  const cpu0 = process.cpuUsage();
  const main0 = mainThreadCpu();
  const t0 = hr();
  const ws = Array.from({ length: 16 }, client);
  await sleep(SECONDS * 1000);
  stop = true;
  await Promise.all(ws);
  const elapsed = (hr() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  const main = mainThreadCpu() - main0;
  const commits = transactions;
  const inWriter = writerUs;
  w?.flushNow();
  const probe = new Database(h.file, { readonly: true });
  const counts = probe.prepare(`SELECT COUNT(*) AS n, SUM(status = 'running') AS r FROM "Request"`).get();
  // WAL frames written: a measure of pages per commit
  probe.close();
  const walBytes = fs.existsSync(`${h.file}-wal`) ? fs.statSync(`${h.file}-wal`).size : 0;
  drop({ db: { close() {} }, file: h.file });
  return {
    rps: done / elapsed,
    cpuPerReq: (cpu.user + cpu.system) / done,
    writerPerReq: inWriter / done,
    otherThreadsPerReq: (cpu.user + cpu.system - main) / done,
    rows: counts.n - 20_000,
    running: counts.r,
    done,
    walBytes,
    commits: w ? commits : null,
  };
}

const Now = nowModule.RecordWriter;
// this checkout as is, and with each of its load-related options turned off (the options writer.ts has today)
const writers = [
  ["now: no gather window, checkpoints on the thread, random ids", Now, { gatherMs: 0, checkpointer: false }],
  ["now: no gather window, random ids", Now, { gatherMs: 0 }],
  ["now: random ids", Now, {}],
  ...(process.env.BENCH_GATHER ?? "")
    .split(",")
    .filter(Boolean)
    .map((g) => [`now: gather ${g} ms`, Now, { gatherMs: Number(g) }, orderedId]),
  ["now (this checkout: time-ordered ids)", Now, {}, orderedId],
];
if (BEFORE) {
  const read = (n) => execFileSync("git", ["show", `${BEFORE}:${usage}/${n}.ts`], { cwd: root, encoding: "utf8" });
  writers.unshift([`before (${BEFORE})`, (await loadWriter(read, "before")).RecordWriter, {}]); // random ids, as then
}
const loadRows = [];
for (const [hold, label] of [
  [0, "0–2 ms upstream (start coalesced)"],
  [6, "6–8 ms upstream (start written first)"],
]) {
  for (const [name, W, opts, ids] of writers) {
    newId = ids ?? randomId;
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await runLoad(W, hold, opts));
    const m = runs.sort((a, b) => a.writerPerReq - b.writerPerReq)[Math.floor(runs.length / 2)];
    const lost = m.rows !== m.done && m.rows < m.done;
    if (process.env.BENCH_DEBUG) console.log(name, label, m);
    loadRows.push(
      `| ${label} | ${name} | ${f1(m.rps)} | ${f1(m.writerPerReq)} | ${f1(m.otherThreadsPerReq)} | ${m.commits ? f1(m.done / m.commits) : "–"} | ${lost ? `LOST ${m.done - m.rows}` : "all"} |`,
    );
    process.stdout.write(`  load ${label}, ${name} done\n`);
  }
}
const loadTable = [
  "| load (16 concurrent, 0.9 ms CPU each) | writer.ts | requests/s | writer's time on the thread, µs per request | other threads' CPU, µs per request | requests per commit | records |",
  "| --- | --- | ---: | ---: | ---: | ---: | --- |",
  ...loadRows,
].join("\n");
console.log(`\n${loadTable}\n`);

const cpus = os.cpus();
const meta = `- Date: ${new Date().toISOString()}; ${cpus.length} × ${cpus[0]?.model ?? "cpu"}, Node ${process.version}, SQLite ${new Database(":memory:").prepare("SELECT sqlite_version() AS v").get().v} (better-sqlite3); load average at the start ${os
  .loadavg()
  .map((x) => x.toFixed(1))
  .join(", ")} (a shared machine)
- Method: a migrated temporary database with 20,000 records, WAL, synchronous NORMAL. Command: \`node bench/writer.mjs${BEFORE ? ` --before ${BEFORE}` : ""}\``;
if (WRITE) {
  writeSection(
    "writer",
    `## Record writer (\`node bench/writer.mjs\`)\n\n${meta}\n\n### The SQL of one record, split\n\n${splitNotes}\n\n${splitTable}\n\n### writer.ts under load\n\nWriter CPU per request: the process's CPU per request less that of the same load with a writer that does nothing. Requests per commit: rows written per transaction.\n\n${loadTable}`,
  );
  console.log("bench:writer: written to bench/results.md");
}
fs.rmSync(dir, { recursive: true, force: true });
