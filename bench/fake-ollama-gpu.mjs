// A latency-bound fake Ollama for bench/ollama-hosts.mjs (its own process): like a GPU box, it runs
// PARALLEL requests at a time (Ollama's OLLAMA_NUM_PARALLEL) and queues the others; each answer is
// TOKENS tokens, streamed one every TOKEN_MS. /api/chat (NDJSON stream or one JSON document),
// /api/tags, /api/ps (the model loaded), /api/version. Sends {served} to its parent when asked {stats}.
import http from "node:http";

const TOKENS = Number(process.env.FAKE_TOKENS ?? 20);
const TOKEN_MS = Number(process.env.FAKE_TOKEN_MS ?? 10);
const PARALLEL = Number(process.env.FAKE_PARALLEL ?? 1);
const MODEL = "bench:latest";

let running = 0;
let served = 0;
const queue = [];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** Resolves when one of the PARALLEL slots is this request's (a freed slot goes to the longest waiting). */
function slot() {
  if (running < PARALLEL) {
    running++;
    return Promise.resolve();
  }
  return new Promise((resolve) => queue.push(resolve));
}
const free = () => {
  const next = queue.shift();
  if (next) next();
  else running--;
};

const final = (model) => ({
  model,
  created_at: new Date().toISOString(),
  message: { role: "assistant", content: "" },
  done: true,
  done_reason: "stop",
  prompt_eval_count: 5,
  eval_count: TOKENS,
});

const server = http.createServer((req, res) => {
  if (req.url === "/api/version") return res.end('{"version":"0.0.0-bench"}');
  if (req.url === "/api/tags") return res.end(`{"models":[{"name":"${MODEL}","modified_at":"2026-01-01T00:00:00Z"}]}`);
  if (req.url === "/api/ps") return res.end(`{"models":[{"name":"${MODEL}","model":"${MODEL}"}]}`);
  let body = "";
  req.on("data", (d) => {
    body += d;
  });
  req.on("end", async () => {
    const b = JSON.parse(body || "{}");
    let gone = false;
    res.on("close", () => {
      gone = !res.writableFinished;
    });
    await slot();
    try {
      if (b.stream === false) {
        await sleep(TOKENS * TOKEN_MS);
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ ...final(b.model), message: { role: "assistant", content: "tok ".repeat(TOKENS) } }));
      } else {
        res.writeHead(200, { "content-type": "application/x-ndjson" });
        for (let i = 0; i < TOKENS && !gone; i++) {
          await sleep(TOKEN_MS);
          const line = {
            model: b.model,
            created_at: new Date().toISOString(),
            message: { role: "assistant", content: "tok " },
            done: false,
          };
          res.write(`${JSON.stringify(line)}\n`);
        }
        res.end(`${JSON.stringify(final(b.model))}\n`);
      }
      served++;
    } finally {
      free();
    }
  });
});
server.keepAliveTimeout = 60_000;
process.on("message", (m) => {
  if (m?.stats) process.send?.({ served });
});
server.listen(0, "127.0.0.1", () => process.send?.({ port: server.address().port }));
