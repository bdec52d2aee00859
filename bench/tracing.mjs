// `npm run bench:tracing`: what OpenTelemetry tracing (issue 25) costs the gateway, over a fake Ollama:
// the same measures as bench:gateway (p50 of a non-streamed request at c=1, requests/s at c=16) with
// tracing off, on (OTLP http/protobuf to a local receiver that answers at once), and on to a collector
// that never answers (its spans dropped once the export queue is full). Each request makes two spans
// (the request's and its model call's). Writes its section of bench/results.md.
//   node bench/tracing.mjs [--requests 2000] [--seconds 6] [--rounds 6]
import { fork } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { ensureBuild, ensurePrismaClient, migrate, root } from "../scripts/lib.mjs";
import { arg, machineLine, pct, poster, sequential, startGateway, stopGateway, throughput } from "./lib.mjs";
import { writeSection } from "./results.mjs";

const REQUESTS = arg("requests", 2000);
const SECONDS = arg("seconds", 6);
const ROUNDS = arg("rounds", 6);
const post = poster(64);

/** A collector on a free port: answers every export at once, or never (`hang`). Counts the exports. */
async function collector(hang) {
  const seen = { exports: 0, bytes: 0 };
  const server = http.createServer((req, res) => {
    req.on("data", (c) => {
      seen.bytes += c.length;
    });
    req.on("end", () => {
      seen.exports++;
      if (!hang) res.writeHead(200, { "content-type": "application/x-protobuf" }).end();
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${server.address().port}`, seen, close: () => server.closeAllConnections() };
}

ensurePrismaClient();
ensureBuild();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cc-bridge-tracing-bench-"));
const fake = fork(path.join(root, "bench/fake-ollama.mjs"), { stdio: "ignore" });
const fakePort = await new Promise((resolve) => fake.once("message", (m) => resolve(m.port)));
const [ok, silent] = await Promise.all([collector(false), collector(true)]);

const body = JSON.stringify({ model: "ollama/bench", messages: [{ role: "user", content: "Hello, how are you?" }] });
const CHAT = "/v1/chat/completions";

/** One configuration's gateway, on its own database. */
async function gateway(name, env) {
  const dbPath = path.join(dir, `${name}.db`);
  migrate(dbPath);
  const gw = await startGateway({ USAGE_DB_PATH: dbPath, OLLAMA_URL: `http://127.0.0.1:${fakePort}`, ...env }, (port) =>
    post(port, CHAT, body),
  );
  await sequential(post, gw.port, CHAT, body, 300, 1); // warm up
  return { ...gw, latencies: [], rps: [] };
}

const droppedOf = (port) =>
  new Promise((resolve) =>
    http.get(`http://127.0.0.1:${port}/metrics`, (res) => {
      let t = "";
      res.on("data", (c) => {
        t += c;
      });
      res.on("end", () => resolve(Number(/^ccbridge_trace_spans_dropped_total (\d+)/m.exec(t)?.[1] ?? 0)));
    }),
  );

/**
 * The three gateways run side by side and are measured in turn, ROUNDS times in a rotating order, so
 * that a shared machine's changing load falls on all three alike: p50 over every round's requests,
 * requests/s as the median of the rounds.
 */
async function measureAll(gws) {
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < gws.length; k++) {
      const g = gws[(round + k) % gws.length];
      g.latencies.push(...(await sequential(post, g.port, CHAT, body, Math.ceil(REQUESTS / ROUNDS), 1)));
      g.rps.push(await throughput(post, g.port, CHAT, body, 16, SECONDS / ROUNDS));
    }
  }
  return Promise.all(
    gws.map(async (g) => ({ p50: pct(g.latencies, 50), rps: pct(g.rps, 50), dropped: await droppedOf(g.port) })),
  );
}

const gws = [];
try {
  gws.push(await gateway("off", {}));
  gws.push(await gateway("on", { OTEL_EXPORTER_OTLP_ENDPOINT: ok.url }));
  gws.push(await gateway("stuck", { OTEL_EXPORTER_OTLP_ENDPOINT: silent.url }));
  const [off, on, stuck] = await measureAll(gws);
  const f = (x, d = 2) => x.toFixed(d);
  const vs = (x) => `${x.p50 - off.p50 >= 0 ? "+" : ""}${f(x.p50 - off.p50)}`;
  const table = [
    "| tracing | p50 non-streamed, c=1 (ms) | vs. off | requests/s, c=16 | vs. off | spans dropped | goal |",
    "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    `| off | ${f(off.p50)} | | ${f(off.rps, 0)} | | – | |`,
    `| on, to a local receiver (http/protobuf) | ${f(on.p50)} | ${vs(on)} | ${f(on.rps, 0)} | ${f((on.rps / off.rps) * 100, 0)} % | ${on.dropped} | p50 ≤ +0.2 ms |`,
    `| on, to a collector that never answers | ${f(stuck.p50)} | ${vs(stuck)} | ${f(stuck.rps, 0)} | ${f((stuck.rps / off.rps) * 100, 0)} % | ${stuck.dropped} | latency unchanged |`,
  ].join("\n");
  const meta = `${machineLine()}
- Method: three gateways (scripts/serve.mjs, default configuration, a fresh database each, tracing's defaults: batches every 5 s, a queue of 2,048 spans) side by side, measured in turn ${ROUNDS} times in a rotating order (a shared machine's load falls on all three alike); a fake Ollama in its own process; the collectors and the load generator in this process (Node http, keep-alive); two spans per request (the request's and its model call's; in-process, making and serializing them cost about 20–30 µs per request here); the receiver got ${ok.seen.exports} exports (${f(ok.seen.bytes / 1024, 0)} KiB), the silent collector ${silent.seen.exports} (never answered: each export gives up after OTEL_EXPORTER_OTLP_TIMEOUT, 10 s, meanwhile the queue fills and new spans are dropped). ${REQUESTS} sequential requests per latency figure (p50 over all rounds), ${SECONDS} s per throughput figure (the median round). Command: \`npm run bench:tracing\``;
  console.log(`\n${table}\n\n${meta}\n`);
  writeSection("tracing", `## Tracing overhead (\`npm run bench:tracing\`)\n\n${meta}\n\n${table}`);
  console.log("bench:tracing: written to bench/results.md");
} finally {
  for (const g of gws) await stopGateway(g.proc);
  fake.kill();
  post.close();
  ok.close();
  silent.close();
  fs.rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}
