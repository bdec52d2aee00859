// `npm run bench:ollama-hosts`: throughput of the gateway in front of 1, 2 and 3 Ollama hosts (OLLAMA_URL
// as a list), measured in one run. Each host is a latency-bound fake (bench/fake-ollama-gpu.mjs, its own
// process): it runs --parallel requests at a time, as Ollama does, and streams --tokens tokens one every
// --token-ms, so a host serves parallel / (tokens × token-ms) requests a second whatever the CPU. The load
// is --concurrency streamed chat completions at a time for --seconds per configuration. Two hosts should
// give close to 2× one. Prints the table and writes it into bench/results.md (between the
// bench:ollama-hosts markers).
//   node bench/ollama-hosts.mjs [--seconds 10] [--concurrency 12] [--tokens 20] [--token-ms 10] [--parallel 2]
import { fork } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ensureBuild, ensurePrismaClient, migrate, root } from "../scripts/lib.mjs";
import { arg, machineLine, pct, poster, startGateway as serve, sleep, stopGateway } from "./lib.mjs";
import { writeSection } from "./results.mjs";

const SECONDS = arg("seconds", 10);
const CONCURRENCY = arg("concurrency", 12);
const TOKENS = arg("tokens", 20);
const TOKEN_MS = arg("token-ms", 10);
const PARALLEL = arg("parallel", 2);
const postTo = poster(256);
const body = JSON.stringify({
  model: "ollama/bench",
  messages: [{ role: "user", content: "Count to twenty." }],
  stream: true,
});

/** One streamed chat; resolves with [ms to the first byte, ms to the end]. */
const post = (port) => postTo(port, "/v1/chat/completions", body);

/** CONCURRENCY clients in a loop for SECONDS: requests/s, p50 time to the first byte and to the end. */
async function load(port) {
  const ttft = [];
  const total = [];
  let errors = 0;
  const until = Date.now() + SECONDS * 1000;
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < until) {
        try {
          const [f, e] = await post(port);
          ttft.push(f);
          total.push(e);
        } catch {
          errors++;
        }
      }
    }),
  );
  const secs = (Date.now() - t0) / 1000;
  return { rps: total.length / secs, p50: pct(total, 50), ttft: pct(ttft, 50), errors, done: total.length };
}

ensurePrismaClient();
ensureBuild();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cc-bridge-hosts-bench-"));
const dbPath = path.join(dir, "usage.db");
migrate(dbPath);

const fakes = [];
for (let i = 0; i < 3; i++) {
  const f = fork(path.join(root, "bench/fake-ollama-gpu.mjs"), {
    stdio: "ignore",
    env: {
      ...process.env,
      FAKE_TOKENS: String(TOKENS),
      FAKE_TOKEN_MS: String(TOKEN_MS),
      FAKE_PARALLEL: String(PARALLEL),
    },
  });
  const port = await new Promise((resolve) => f.once("message", (m) => resolve(m.port)));
  fakes.push({ proc: f, url: `http://127.0.0.1:${port}` });
}
const served = (f) =>
  new Promise((resolve) => {
    f.proc.once("message", (m) => resolve(m.served));
    f.proc.send({ stats: true });
  });

/** A gateway (scripts/serve.mjs) in front of the first `n` hosts, answered once. */
const startGateway = (n) =>
  serve(
    {
      USAGE_DB_PATH: dbPath,
      OLLAMA_URL: fakes
        .slice(0, n)
        .map((f) => f.url)
        .join(","),
    },
    post,
  );

const results = [];
try {
  for (const n of [1, 2, 3]) {
    const gw = await startGateway(n);
    try {
      await Promise.all(Array.from({ length: n * PARALLEL }, () => post(gw.port))); // warm up
      const before = await Promise.all(fakes.map(served));
      const r = await load(gw.port);
      const after = await Promise.all(fakes.map(served));
      results.push({ n, ...r, spread: after.slice(0, n).map((a, i) => a - (before[i] ?? 0)) });
      console.log(`${n} host(s): ${r.rps.toFixed(1)} requests/s`);
    } finally {
      await stopGateway(gw.proc);
    }
  }
  const one = results[0]?.rps ?? 1;
  const ideal = PARALLEL / ((TOKENS * TOKEN_MS) / 1000);
  const f = (x, d = 1) => x.toFixed(d);
  const table = [
    "| hosts | requests/s | × one host | tokens/s | p50 to the end (ms) | p50 first byte (ms) | requests per host | failed | goal |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- |",
    ...results.map(
      (r) =>
        `| ${r.n} | ${f(r.rps)} | ${f(r.rps / one, 2)} | ${f(r.rps * TOKENS, 0)} | ${f(r.p50, 0)} | ${f(r.ttft, 0)} | ${r.spread.join(" / ")} | ${r.errors} | ${r.n === 1 ? `≈ ${f(ideal)} (the fake's ceiling)` : `≈ ${r.n}× one host`} |`,
    ),
  ].join("\n");
  const meta = `${machineLine()}
- Method: scripts/serve.mjs with the default configuration on a fresh database, OLLAMA_URL listing 1, 2 then 3 latency-bound fake Ollama hosts (each its own process: ${PARALLEL} requests at a time, the others queued, ${TOKENS} tokens streamed one every ${TOKEN_MS} ms, so at most ${f(ideal)} requests/s per host); ${CONCURRENCY} clients sending streamed chat completions for ${SECONDS} s per configuration, after a warm-up. Command: \`npm run bench:ollama-hosts\``;
  console.log(`\n${table}\n\n${meta}\n`);
  writeSection("ollama-hosts", `## Several Ollama hosts (\`npm run bench:ollama-hosts\`)\n\n${meta}\n\n${table}`);
  console.log("bench:ollama-hosts: written to bench/results.md");
} finally {
  for (const f of fakes) f.proc.kill();
  postTo.close();
  await sleep(500);
  fs.rmSync(dir, { recursive: true, force: true });
}
