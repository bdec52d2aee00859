// `npm run bench:gateway`: the gateway's overhead over a fake Ollama, measured in one run, through the
// gateway and straight to the fake side by side: p50 of a non-streamed request at concurrency 1,
// requests/s at concurrency 16, time to the first streamed byte (p50), and the gateway's idle RSS.
// Prints the table and writes it into bench/results.md (its own section, between the bench:gateway markers).
//   node bench/gateway.mjs [--requests 2000] [--seconds 5]
import { fork } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ensureBuild, ensurePrismaClient, migrate, root } from "../scripts/lib.mjs";
import { arg, machineLine, pct, poster, sequential, startGateway as serve, sleep, throughput } from "./lib.mjs";
import { writeSection } from "./results.mjs";

const REQUESTS = arg("requests", 2000);
const SECONDS = arg("seconds", 5);
const post = poster(64);

/** Resident memory of a process and its descendants, in MiB. */
function rssMiB(pid) {
  const children = new Map();
  for (const p of fs.readdirSync("/proc").filter((x) => /^\d+$/.test(x))) {
    try {
      const ppid = Number(fs.readFileSync(`/proc/${p}/stat`, "utf8").split(") ")[1].split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(p)]);
    } catch {}
  }
  let kb = 0;
  const visit = (id) => {
    try {
      kb += Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${id}/status`, "utf8"))[1]);
    } catch {}
    for (const c of children.get(id) ?? []) visit(c);
  };
  visit(pid);
  return kb / 1024;
}

ensurePrismaClient();
ensureBuild();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cc-bridge-gw-bench-"));
const dbPath = path.join(dir, "usage.db");
migrate(dbPath);

const fake = fork(path.join(root, "bench/fake-ollama.mjs"), { stdio: "ignore" });
const fakePort = await new Promise((resolve) => fake.once("message", (m) => resolve(m.port)));

/** A gateway (scripts/serve.mjs) on its own port, on the shared database, answered once. */
const startGateway = (extraEnv = {}) =>
  serve(
    { USAGE_DB_PATH: dbPath, OLLAMA_URL: `http://127.0.0.1:${fakePort}`, ...extraEnv },
    (port) =>
      post(
        port,
        "/v1/chat/completions",
        JSON.stringify({ model: "ollama/bench", messages: [{ role: "user", content: "w" }] }),
      ),
    (process.env.BENCH_NODE_ARGS ?? "").split(" ").filter(Boolean),
  );

const messages = [{ role: "user", content: "Hello, how are you?" }];
const gwBody = (stream) => JSON.stringify({ model: "ollama/bench", messages, stream });
const fakeBody = (stream) => JSON.stringify({ model: "bench", messages, stream });

/** p50 (non-streamed, c=1), p50 to the first streamed byte (c=1) and requests/s (c=16) of one target. */
async function measure(port, pathName, body) {
  await sequential(post, port, pathName, body(false), 300, 1); // warm up (JIT, connections, the database)
  return {
    p50: pct(await sequential(post, port, pathName, body(false), REQUESTS, 1), 50),
    first: pct(await sequential(post, port, pathName, body(true), REQUESTS, 0), 50),
    rps: await throughput(post, port, pathName, body(false), 16, SECONDS),
  };
}

const gateways = [];
try {
  const direct = await startGateway();
  gateways.push(direct.proc);
  await sleep(1000);
  const idle = rssMiB(direct.proc.pid);
  const gw = await measure(direct.port, "/v1/chat/completions", gwBody);
  await sleep(1000);
  const after = rssMiB(direct.proc.pid);
  direct.proc.kill("SIGTERM");
  const straight = await measure(fakePort, "/api/chat", fakeBody);
  // The same gateway with every request through Next.js's request handling (DIRECT_ROUTES=false).
  const viaNext = await startGateway({ DIRECT_ROUTES: "false" });
  gateways.push(viaNext.proc);
  const nx = await measure(viaNext.port, "/v1/chat/completions", gwBody);

  const f = (x, d = 2) => x.toFixed(d);
  const rows = [
    ["p50 non-streamed, c=1 (ms)", f(gw.p50), f(straight.p50), `+${f(gw.p50 - straight.p50)}`, "≤ +1.5", f(nx.p50)],
    [
      "requests/s, c=16, non-streamed",
      f(gw.rps, 0),
      f(straight.rps, 0),
      `${f((gw.rps / straight.rps) * 100, 0)} %`,
      "≥ 1,000",
      f(nx.rps, 0),
    ],
    [
      "p50 first streamed byte, c=1 (ms)",
      f(gw.first),
      f(straight.first),
      `+${f(gw.first - straight.first)}`,
      "≤ +2",
      f(nx.first),
    ],
    ["gateway RSS idle / after the load (MiB)", `${f(idle, 0)} / ${f(after, 0)}`, "", "", "≤ 250 idle", ""],
  ];
  const table = [
    "| measure | through the gateway | straight to the fake | overhead | goal | all through Next.js (`DIRECT_ROUTES=false`) |",
    "| --- | ---: | ---: | ---: | --- | ---: |",
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
  const meta = `${machineLine()}
- Method: scripts/serve.mjs with the default configuration (LOG_REQUESTS and STORE_CONTENT on) on a fresh database, a fake Ollama in its own process, one load generator (Node http, keep-alive), measured in turn: the gateway, the fake straight, the gateway with \`DIRECT_ROUTES=false\`; ${REQUESTS} sequential requests per latency figure, ${SECONDS} s per throughput figure. Command: \`npm run bench:gateway\``;
  console.log(`\n${table}\n\n${meta}\n`);
  writeSection("gateway", `## Gateway overhead (\`npm run bench:gateway\`)\n\n${meta}\n\n${table}`);
  console.log("bench:gateway: written to bench/results.md");
} finally {
  for (const g of gateways) g.kill("SIGTERM");
  fake.kill();
  post.close();
  await sleep(500);
  fs.rmSync(dir, { recursive: true, force: true });
}
