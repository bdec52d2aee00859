// `npm run bench:gateway`: the gateway's overhead over a fake Ollama, measured in one run, through the
// gateway and straight to the fake side by side: p50 of a non-streamed request at concurrency 1,
// requests/s at concurrency 16, time to the first streamed byte (p50), and the gateway's idle RSS.
// Prints the table and writes it into bench/results.md (its own section, between the bench:gateway markers).
//   node bench/gateway.mjs [--requests 2000] [--seconds 5]
import { fork, spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { ensureBuild, ensurePrismaClient, migrate, root } from "../scripts/lib.mjs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? Number(process.argv[i + 1]) : fallback;
};
const REQUESTS = arg("requests", 2000);
const SECONDS = arg("seconds", 5);

const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** One POST; resolves with [ms to the first body byte, ms to the end]. */
function post(port, pathName, body) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    let first = null;
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        path: pathName,
        method: "POST",
        agent,
        headers: { "content-type": "application/json" },
      },
      (res) => {
        res.on("data", () => {
          first ??= process.hrtime.bigint();
        });
        res.on("end", () => {
          if (res.statusCode !== 200) return reject(new Error(`HTTP ${res.statusCode} from ${pathName}`));
          const end = process.hrtime.bigint();
          resolve([Number((first ?? end) - t0) / 1e6, Number(end - t0) / 1e6]);
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

async function sequential(port, pathName, body, n, pick) {
  const out = [];
  for (let i = 0; i < n; i++) out.push((await post(port, pathName, body))[pick]);
  return out;
}

async function throughput(port, pathName, body, concurrency, seconds) {
  let count = 0;
  const until = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < until) {
        await post(port, pathName, body);
        count++;
      }
    }),
  );
  return count / seconds;
}

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
const port = await freePort();
const serve = fs.existsSync(path.join(root, "scripts/serve.mjs"));
const gateway = spawn(
  process.execPath,
  [
    // e.g. BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the gateway
    ...(process.env.BENCH_NODE_ARGS ?? "").split(" ").filter(Boolean),
    ...(serve
      ? [path.join(root, "scripts/serve.mjs")]
      : [path.join(root, "node_modules/next/dist/bin/next"), "start", "-p", String(port), "-H", "127.0.0.1"]),
  ],
  {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      PORT: String(port),
      HOST: "127.0.0.1",
      USAGE_DB_PATH: dbPath,
      OLLAMA_URL: `http://127.0.0.1:${fakePort}`,
      CLAUDE_BIN: "/nonexistent/claude",
    },
    stdio: ["ignore", "ignore", "inherit"],
  },
);

try {
  for (let i = 0; ; i++) {
    try {
      await post(
        port,
        "/v1/chat/completions",
        JSON.stringify({ model: "ollama/bench", messages: [{ role: "user", content: "w" }] }),
      );
      break;
    } catch (e) {
      if (i > 300) throw e;
      await sleep(100);
    }
  }
  const messages = [{ role: "user", content: "Hello, how are you?" }];
  const gwBody = (stream) => JSON.stringify({ model: "ollama/bench", messages, stream });
  const fakeBody = (stream) => JSON.stringify({ model: "bench", messages, stream });
  const G = [port, "/v1/chat/completions"];
  const F = [fakePort, "/api/chat"];
  // warm up both (JIT, connections, the database)
  await sequential(...G, gwBody(false), 300, 1);
  await sequential(...F, fakeBody(false), 300, 1);
  await sleep(1000);
  const idle = rssMiB(gateway.pid);

  const gwP50 = pct(await sequential(...G, gwBody(false), REQUESTS, 1), 50);
  const fakeP50 = pct(await sequential(...F, fakeBody(false), REQUESTS, 1), 50);
  const gwFirst = pct(await sequential(...G, gwBody(true), REQUESTS, 0), 50);
  const fakeFirst = pct(await sequential(...F, fakeBody(true), REQUESTS, 0), 50);
  const gwRps = await throughput(...G, gwBody(false), 16, SECONDS);
  const fakeRps = await throughput(...F, fakeBody(false), 16, SECONDS);
  await sleep(1000);
  const after = rssMiB(gateway.pid);

  const f = (x, d = 2) => x.toFixed(d);
  const rows = [
    ["p50 non-streamed, c=1 (ms)", f(gwP50), f(fakeP50), `+${f(gwP50 - fakeP50)}`, "≤ +1.5"],
    ["requests/s, c=16, non-streamed", f(gwRps, 0), f(fakeRps, 0), `${f((gwRps / fakeRps) * 100, 0)} %`, "≥ 1,000"],
    ["p50 first streamed byte, c=1 (ms)", f(gwFirst), f(fakeFirst), `+${f(gwFirst - fakeFirst)}`, "≤ +2"],
    ["gateway RSS idle / after the load (MiB)", `${f(idle, 0)} / ${f(after, 0)}`, "", "", "≤ 250 idle"],
  ];
  const table = [
    "| measure | through the gateway | straight to the fake | overhead | goal |",
    "| --- | ---: | ---: | ---: | --- |",
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
  const cpus = os.cpus();
  const meta = `- Date: ${new Date().toISOString()}; ${cpus.length} × ${cpus[0]?.model ?? "cpu"}, Node ${process.version}; load average at the start ${os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(", ")} (a shared machine: other work was running)
- Method: ${serve ? "scripts/serve.mjs" : "next start"} with the default configuration (LOG_REQUESTS and STORE_CONTENT on) on a fresh database, a fake Ollama in its own process, one load generator (Node http, keep-alive); ${REQUESTS} sequential requests per latency figure, ${SECONDS} s per throughput figure. Command: \`npm run bench:gateway\``;
  console.log(`\n${table}\n\n${meta}\n`);
  const file = path.join(root, "bench", "results.md");
  const section = `<!-- bench:gateway -->\n\n## Gateway overhead (\`npm run bench:gateway\`)\n\n${meta}\n\n${table}\n\n<!-- /bench:gateway -->`;
  const old = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "# Benchmark results\n";
  const mark = /<!-- bench:gateway -->[\s\S]*<!-- \/bench:gateway -->/;
  const next = mark.test(old) ? old.replace(mark, section) : `${old.trimEnd()}\n\n${section}\n`;
  fs.writeFileSync(file, next);
  console.log("bench:gateway: written to bench/results.md");
} finally {
  gateway.kill("SIGTERM");
  fake.kill();
  agent.destroy();
  await sleep(500);
  fs.rmSync(dir, { recursive: true, force: true });
}
