// A minimal, fast fake Ollama for bench/gateway.mjs (its own process, so it does not share the load
// generator's CPU): /api/chat as one JSON document or as an NDJSON stream, /api/tags, /api/version.
import http from "node:http";

const done = (model) => ({
  model,
  created_at: new Date().toISOString(),
  message: { role: "assistant", content: "" },
  done: true,
  done_reason: "stop",
  total_duration: 1,
  load_duration: 1,
  prompt_eval_count: 5,
  prompt_eval_duration: 1,
  eval_count: 3,
  eval_duration: 1,
});

const server = http.createServer((req, res) => {
  if (req.url === "/api/version") return res.end('{"version":"0.0.0-bench"}');
  if (req.url === "/api/tags")
    return res.end('{"models":[{"name":"bench:latest","modified_at":"2026-01-01T00:00:00Z"}]}');
  let body = "";
  req.on("data", (d) => {
    body += d;
  });
  req.on("end", () => {
    const b = JSON.parse(body || "{}");
    if (b.stream === false) {
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify({ ...done(b.model), message: { role: "assistant", content: "Hello there!" } }));
    }
    res.writeHead(200, { "content-type": "application/x-ndjson" });
    for (const c of ["Hello", " there", "!"]) {
      res.write(
        `${JSON.stringify({ model: b.model, created_at: new Date().toISOString(), message: { role: "assistant", content: c }, done: false })}\n`,
      );
    }
    res.end(`${JSON.stringify(done(b.model))}\n`);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => process.send?.({ port: server.address().port }));
