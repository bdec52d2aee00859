// Seeds a migrated SQLite database with realistic request records for the console benchmark:
// 30 days, 8 models over 2 providers, ~3% errors, ~1% cancelled, sessions with transcripts, and
// stored content for a fraction of the requests. Deterministic (seeded PRNG), one transaction.
import Database from "better-sqlite3";

const DAY = 86_400_000;
const HOUR = 3_600_000;

const MODELS = [
  { model: "ollama/qwen3:8b", provider: "ollama", weight: 22, median: 1400 },
  { model: "ollama/llama3.2:3b", provider: "ollama", weight: 14, median: 700 },
  { model: "ollama/gemma3:12b", provider: "ollama", weight: 11, median: 2600 },
  { model: "ollama/mistral:7b", provider: "ollama", weight: 8, median: 1200 },
  { model: "claude-code", provider: "claude-code", weight: 20, median: 7000 },
  { model: "sonnet", provider: "claude-code", weight: 15, median: 8000 },
  { model: "opus", provider: "claude-code", weight: 6, median: 14000 },
  { model: "haiku", provider: "claude-code", weight: 4, median: 3500 },
];
const ERRORS = [
  { httpStatus: 502, errorType: "upstream_error", errorCode: "upstream_error", message: "Ollama answered 500" },
  {
    httpStatus: 503,
    errorType: "upstream_unavailable",
    errorCode: "ollama_unreachable",
    message: "Ollama unreachable",
  },
  { httpStatus: 504, errorType: "timeout", errorCode: "timeout", message: "The run exceeded its timeout" },
  { httpStatus: 400, errorType: "invalid_request_error", errorCode: "invalid_value", message: "Invalid messages" },
  { httpStatus: 404, errorType: "invalid_request_error", errorCode: "model_not_found", message: "Unknown model" },
  { httpStatus: 429, errorType: "rate_limit_error", errorCode: "busy", message: "Too many concurrent runs" },
];
const AGENTS = ["OpenAI/Python 1.99.1", "OpenAI/JS 6.49.0", "langchain/0.3", "curl/8.5.0", "ai-sdk/5.0"];

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Fills dbPath (already migrated) with `rows` requests ending at `now`.
 * Returns facts the benchmark uses (a session id with a transcript, a request id with content, …).
 */
export function seed(dbPath, { rows = 1_000_000, now = Date.now(), seed: s = 42, log = () => {} } = {}) {
  const rnd = mulberry32(s);
  const pick = (arr) => arr[Math.floor(rnd() * arr.length)];
  const gauss = () => Math.sqrt(-2 * Math.log(rnd() || 1e-12)) * Math.cos(2 * Math.PI * rnd());
  const lognormal = (median, sigma) => Math.max(1, Math.round(median * Math.exp(sigma * gauss())));
  const hex = (n) => {
    let out = "";
    for (let i = 0; i < n; i++) out += Math.floor(rnd() * 16).toString(16);
    return out;
  };
  const totalWeight = MODELS.reduce((a, m) => a + m.weight, 0);
  const pickModel = () => {
    let x = rnd() * totalWeight;
    for (const m of MODELS) {
      x -= m.weight;
      if (x < 0) return m;
    }
    return MODELS[0];
  };

  // Requests per hour follow a daily curve (busy afternoons, quiet nights) over 30 days.
  const start = now - 30 * DAY;
  const hours = 30 * 24;
  const weights = Array.from(
    { length: hours },
    (_, h) => 0.35 + 0.65 * Math.max(0, Math.sin(((h % 24) / 24) * Math.PI)),
  );
  const wsum = weights.reduce((a, b) => a + b, 0);

  // Sessions: a pool bound to one model each; ~8% of requests belong to one.
  const sessionCount = Math.max(1, Math.round(rows / 125));
  const sessions = Array.from({ length: sessionCount }, (_, i) => {
    const m = pickModel();
    return { id: `sess-${i.toString(36)}-${hex(6)}`, m, turns: 0, pt: 0, ct: 0, first: 0, last: 0, title: null };
  });

  const db = new Database(dbPath);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = OFF");
  db.pragma("cache_size = -200000");
  // Sessions are written after their messages (their totals are known only then).
  db.pragma("foreign_keys = OFF");
  const insReq = db.prepare(`INSERT INTO Request (id, createdAt, model, provider, upstreamModel, stream, sessionId,
    status, httpStatus, errorType, errorCode, errorMessage, finishReason, promptTokens, completionTokens, totalTokens,
    cachedTokens, costUsd, durationMs, ttftMs, userAgent, clientAddress)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insContent = db.prepare("INSERT INTO RequestContent (requestId, prompt, answer) VALUES (?, ?, ?)");
  const insMsg = db.prepare(`INSERT INTO SessionMessage (sessionId, turn, role, content, requestId, promptTokens,
    completionTokens, createdAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
  const insSession = db.prepare(`INSERT INTO Session (id, provider, model, upstreamSessionId, systemPrompt, title,
    createdAt, lastUsedAt, turnCount, promptTokens, completionTokens, totalTokens)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);

  const facts = { rows, start, now, contentIds: [], errorIds: [], sessions: 0, messages: 0, contents: 0 };
  let written = 0;
  const run = db.transaction(() => {
    let cum = 0;
    for (let h = 0; h < hours; h++) {
      const before = Math.round((rows * cum) / wsum);
      cum += weights[h];
      const n = Math.round((rows * cum) / wsum) - before;
      const offsets = Array.from({ length: n }, () => Math.floor(rnd() * HOUR)).sort((a, b) => a - b);
      for (const off of offsets) {
        const createdAt = start + h * HOUR + off;
        const id = `req_${hex(24)}`;
        const session = rnd() < 0.08 ? pick(sessions) : null;
        const m = session ? session.m : pickModel();
        const r = rnd();
        const status = r < 0.03 ? "error" : r < 0.04 ? "cancelled" : "ok";
        const err = status === "error" ? pick(ERRORS) : null;
        const claude = m.provider === "claude-code";
        const stream = rnd() < 0.7;
        const ok = status === "ok";
        const promptTokens = ok || status === "cancelled" ? lognormal(claude ? 3000 : 600, 0.9) : 0;
        const completionTokens = ok ? lognormal(claude ? 400 : 250, 0.8) : 0;
        const cachedTokens = ok && claude ? Math.floor(promptTokens * rnd() * 0.8) : 0;
        const durationMs = err?.httpStatus === 504 ? 600_000 : err ? lognormal(40, 1) : lognormal(m.median, 0.6);
        const ttftMs =
          ok || (status === "cancelled" && rnd() < 0.5)
            ? Math.min(durationMs, lognormal(claude ? 1800 : 350, 0.5))
            : null;
        insReq.run(
          id,
          createdAt,
          m.model,
          m.provider,
          ok ? (claude ? "claude-sonnet-4-5" : m.model.slice(7)) : null,
          stream ? 1 : 0,
          session?.id ?? null,
          status,
          err ? err.httpStatus : status === "cancelled" ? 499 : 200,
          err ? err.errorType : status === "cancelled" ? "cancelled" : null,
          err ? err.errorCode : null,
          err ? err.message : status === "cancelled" ? "client disconnected" : null,
          ok ? (rnd() < 0.95 ? "stop" : "length") : null,
          promptTokens,
          completionTokens,
          promptTokens + completionTokens,
          cachedTokens,
          ok && claude ? Math.round((promptTokens * 3 + completionTokens * 15) / 1e3) / 1e3 : null,
          durationMs,
          ttftMs,
          pick(AGENTS),
          `10.0.${Math.floor(rnd() * 4)}.${Math.floor(rnd() * 250)}`,
        );
        if (err && facts.errorIds.length < 5) facts.errorIds.push(id);
        const question = `Question ${written}: explain item ${hex(8)} in detail, with examples and caveats.`;
        const answer = `Answer ${written}: ${"lorem ipsum dolor sit amet ".repeat(1 + Math.floor(rnd() * 30))}`;
        if (rnd() < 0.05) {
          const prompt = JSON.stringify([
            { role: "system", content: "You are a helpful assistant." },
            { role: "user", content: question.repeat(1 + Math.floor(rnd() * 10)) },
          ]);
          insContent.run(id, prompt, answer);
          facts.contents++;
          if (facts.contentIds.length < 5) facts.contentIds.push(id);
        }
        if (session && ok) {
          const turn = ++session.turns;
          session.pt += promptTokens;
          session.ct += completionTokens;
          session.first ||= createdAt;
          session.last = createdAt;
          session.title ??= question.slice(0, 120);
          const user = JSON.stringify({ role: "user", content: question });
          const asst = JSON.stringify({ role: "assistant", content: answer });
          insMsg.run(session.id, turn, "user", user, id, null, null, createdAt + durationMs);
          insMsg.run(session.id, turn, "assistant", asst, id, promptTokens, completionTokens, createdAt + durationMs);
          facts.messages += 2;
        }
        written++;
      }
      if (h % 72 === 71) log(`seeded ${written} requests`);
    }
    for (const s of sessions) {
      if (!s.turns) continue;
      insSession.run(
        s.id,
        s.m.provider,
        s.m.model,
        s.m.provider === "claude-code" ? `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}` : null,
        rnd() < 0.3 ? "You are a terse assistant." : null,
        s.title,
        s.first,
        s.last,
        s.turns,
        s.pt,
        s.ct,
        s.pt + s.ct,
      );
      facts.sessions++;
    }
  });
  run();
  facts.busiestSession = sessions.reduce((a, b) => (b.turns > a.turns ? b : a)).id;
  facts.typicalSession = sessions.find((x) => x.turns > 0 && x.turns <= 12)?.id ?? facts.busiestSession;
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.close();
  return facts;
}
