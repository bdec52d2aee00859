/**
 * A fake Ollama server following the protocol facts in DESIGN.md: /api/chat (NDJSON stream or one
 * JSON), /api/tags, /api/ps, /api/version, /api/show (model_info with `<arch>.context_length`,
 * `parameters` text with num_ctx), `{"error"}` bodies with 404/400/500, mid-stream error lines, slow
 * streams. Tests script a reply per request; every request and every abort is recorded.
 * Several fakes stand for several hosts; one can be stopped and started again on its port.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface OllamaToolCall {
  function: { name: string; arguments: Record<string, unknown> };
}

export interface Reply {
  /** Content pieces, one NDJSON line each. */
  chunks?: string[];
  thinking?: string[];
  toolCalls?: OllamaToolCall[];
  doneReason?: "stop" | "length";
  /** Delay before each line, in ms. */
  delayMs?: number;
  /** Answer with this HTTP status and `{"error": message}` before streaming anything. */
  httpError?: { status: number; message: string };
  /** Answer with this HTTP status and a raw body (a proxy's HTML error page, say). */
  rawError?: { status: number; contentType: string; body: string };
  /** Lines sent as they are (not JSON, say) before the content lines. */
  rawLines?: string[];
  /** After this many content lines, destroy the socket (a connection reset mid-stream). */
  resetAfter?: number;
  /** After this many content lines, send `{"error": message}` and end the stream. */
  midStreamError?: { after: number; message: string };
  /** End the stream without a `done` line (a broken upstream). */
  truncate?: boolean;
  promptEvalCount?: number;
  evalCount?: number;
  /** Write each stream line in this many pieces, `gapMs` apart (a slow or fragmenting upstream). */
  splitLines?: { pieces: number; gapMs: number };
}

export interface ShowInfo {
  arch?: string;
  /** `<arch>.context_length` in model_info; null leaves it out. */
  contextLength?: number | null;
  /** A `num_ctx` line in `parameters`. */
  numCtx?: number;
  delayMs?: number;
  httpError?: { status: number; message: string };
}

export interface RecordedRequest {
  path: string;
  method: string;
  body: any;
}

export interface FakeOllama {
  url: string;
  requests: RecordedRequest[];
  /** Chat requests whose client went away before the stream ended. */
  aborted: number;
  /** Chat streams that ran to their last line. */
  completed: number;
  models: string[];
  /** The models /api/ps lists as loaded; a model it answers with is added, as Ollama loads it. */
  loaded: string[];
  /** Chat and embed requests being answered now, and the most at once so far. */
  inFlight: number;
  maxInFlight: number;
  port: number;
  /** Delay before /api/tags answers, in ms. */
  tagsDelayMs: number;
  /** Length of /api/embed vectors (the model's own size); a smaller `dimensions` truncates, as Ollama does. */
  embedDims: number;
  script: (body: any) => Reply | undefined;
  /**
   * What /api/show states per model name (as listed): its architecture's context length, a num_ctx
   * parameter, a delay, or an HTTP error. A listed model not named here: `llama`, 131072, no num_ctx.
   */
  show: Record<string, ShowInfo>;
  chats(): any[];
  /** The model names /api/show was asked about, in order. */
  shows(): string[];
  close(): Promise<void>;
}

const tagsOf = (models: string[]) => ({
  models: models.map((name) => ({
    name,
    model: name,
    modified_at: "2026-10-01T12:00:00.000Z",
    size: 1_000_000,
    digest: "sha256:0",
    details: { format: "gguf", family: "llama", parameter_size: "8B", quantization_level: "Q4_K_M" },
  })),
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function lastUserText(body: any): string {
  const users = (body.messages ?? []).filter((m: any) => m.role === "user");
  return users.at(-1)?.content ?? "";
}

/** The default reply: "Echo: <last user text>", a word per line. */
export function echoReply(body: any): Reply {
  const words = `Echo: ${lastUserText(body)}`.split(/(?<= )/);
  return { chunks: words };
}

export async function startFakeOllama(
  opts: { models?: string[]; loaded?: string[]; port?: number } = {},
): Promise<FakeOllama> {
  const fake: FakeOllama = {
    url: "",
    requests: [],
    aborted: 0,
    completed: 0,
    models: opts.models ?? ["llama3.2:latest", "qwen3:8b", "llava:7b"],
    loaded: opts.loaded ?? [],
    inFlight: 0,
    maxInFlight: 0,
    port: 0,
    tagsDelayMs: 0,
    embedDims: 8,
    script: () => undefined,
    show: {},
    chats: () => fake.requests.filter((r) => r.path === "/api/chat").map((r) => r.body),
    shows: () => fake.requests.filter((r) => r.path === "/api/show").map((r) => r.body?.model ?? r.body?.name),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  const knows = (model: string) => fake.models.includes(model) || fake.models.includes(`${model}:latest`);
  const full = (model: string) => (fake.models.includes(model) ? model : `${model}:latest`);
  /** Counts a chat or embed request in flight until its response is over. */
  const track = (res: http.ServerResponse) => {
    fake.inFlight++;
    fake.maxInFlight = Math.max(fake.maxInFlight, fake.inFlight);
    res.once("close", () => fake.inFlight--);
  };

  const server = http.createServer(async (req, res) => {
    let raw = "";
    for await (const c of req) raw += c;
    const body = raw ? JSON.parse(raw) : undefined;
    fake.requests.push({ path: req.url ?? "", method: req.method ?? "", body });
    const json = (status: number, data: unknown) => {
      res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
      res.end(JSON.stringify(data));
    };
    if (req.url === "/api/version") return json(200, { version: "0.12.6" });
    if (req.url === "/api/ps") {
      return json(200, {
        models: fake.loaded.map((name) => ({
          name,
          model: name,
          size: 1_000_000,
          digest: "sha256:0",
          size_vram: 1_000_000,
        })),
      });
    }
    if (req.url === "/api/tags") {
      if (fake.tagsDelayMs) await sleep(fake.tagsDelayMs);
      if (res.destroyed) return;
      // pretty-printed, as a proxy might: a one-document answer is not NDJSON
      res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
      return res.end(`${JSON.stringify(tagsOf(fake.models), null, 2)}\n`);
    }
    if (req.url === "/api/show" && req.method === "POST") {
      const name: string = body?.model ?? body?.name ?? "";
      const listed = fake.models.includes(name)
        ? name
        : fake.models.includes(`${name}:latest`)
          ? `${name}:latest`
          : null;
      const info: ShowInfo = (listed && fake.show[listed]) || {};
      if (info.delayMs) await sleep(info.delayMs);
      if (res.destroyed) return;
      if (info.httpError) return json(info.httpError.status, { error: info.httpError.message });
      if (!listed) return json(404, { error: `model '${name}' not found` });
      const arch = info.arch ?? "llama";
      const length = info.contextLength === undefined ? 131_072 : info.contextLength;
      const parameters = [
        ...(info.numCtx !== undefined ? [`num_ctx${" ".repeat(24)}${info.numCtx}`] : []),
        `stop${" ".repeat(27)}"<|eot_id|>"`,
      ].join("\n");
      return json(200, {
        license: "",
        modelfile: `FROM ${listed}\n`,
        parameters,
        template: "{{ .Prompt }}",
        details: { format: "gguf", family: arch, parameter_size: "8B", quantization_level: "Q4_K_M" },
        model_info: {
          "general.architecture": arch,
          "general.parameter_count": 8_000_000_000,
          ...(length !== null ? { [`${arch}.context_length`]: length } : {}),
          [`${arch}.embedding_length`]: 4096,
        },
        capabilities: ["completion", "tools"],
        modified_at: "2026-10-01T12:00:00.000Z",
      });
    }
    if (req.url === "/api/embed" && req.method === "POST") {
      if (!knows(body.model)) return json(404, { error: `model '${body.model}' not found` });
      track(res);
      if (!fake.loaded.includes(full(body.model))) fake.loaded.push(full(body.model));
      const inputs: string[] = Array.isArray(body.input) ? body.input : [body.input];
      const dims = body.dimensions && body.dimensions < fake.embedDims ? body.dimensions : fake.embedDims;
      // A deterministic vector per text: the same input always embeds the same.
      const vector = (t: string) =>
        Array.from(
          { length: dims },
          (_, i) => ((t.length * 31 + (t.charCodeAt(i % t.length) || 0) * (i + 1)) % 97) / 97 - 0.5,
        );
      return json(200, {
        model: body.model,
        embeddings: inputs.map(vector),
        total_duration: 5_000_000,
        load_duration: 1_000_000,
        prompt_eval_count: inputs.reduce((n, t) => n + t.split(/\s+/).filter(Boolean).length, 0),
      });
    }
    if (req.url !== "/api/chat" || req.method !== "POST") return json(404, { error: "404 page not found" });
    if (!knows(body.model)) return json(404, { error: `model '${body.model}' not found` });
    track(res);
    if (!fake.loaded.includes(full(body.model))) fake.loaded.push(full(body.model));

    const reply = fake.script(body) ?? echoReply(body);
    if (reply.httpError) return json(reply.httpError.status, { error: reply.httpError.message });
    if (reply.rawError) {
      res.writeHead(reply.rawError.status, { "content-type": reply.rawError.contentType });
      return res.end(reply.rawError.body);
    }
    const chunks = reply.chunks ?? [];
    const promptEval = reply.promptEvalCount ?? JSON.stringify(body.messages).length >> 2;
    const evalCount = reply.evalCount ?? chunks.length + (reply.toolCalls ? 5 : 0);
    const at = () => new Date().toISOString();
    const line = (content: string, extra: Record<string, unknown> = {}) => ({
      model: body.model,
      created_at: at(),
      message: { role: "assistant", content, ...extra },
      done: false,
    });
    const final = {
      model: body.model,
      created_at: at(),
      message: { role: "assistant", content: "" },
      done: true,
      done_reason: reply.doneReason ?? "stop",
      total_duration: 123_000_000,
      load_duration: 1_000_000,
      prompt_eval_count: promptEval,
      prompt_eval_duration: 10_000_000,
      eval_count: evalCount,
      eval_duration: 100_000_000,
    };

    if (body.stream === false) {
      await sleep(reply.delayMs ?? 0);
      return json(200, {
        ...final,
        message: {
          role: "assistant",
          content: chunks.join(""),
          ...(reply.thinking ? { thinking: reply.thinking.join("") } : {}),
          ...(reply.toolCalls ? { tool_calls: reply.toolCalls } : {}),
        },
      });
    }

    let closed = false;
    res.on("close", () => {
      if (!res.writableFinished) {
        closed = true;
        fake.aborted++;
      }
    });
    res.writeHead(200, { "content-type": "application/x-ndjson" });
    const send = async (obj: unknown) => {
      if (reply.delayMs) await sleep(reply.delayMs);
      const text = `${JSON.stringify(obj)}\n`;
      const split = reply.splitLines;
      if (!split) {
        if (!closed) res.write(text);
        return;
      }
      const size = Math.ceil(text.length / split.pieces);
      for (let i = 0; i < text.length; i += size) {
        if (i > 0) await sleep(split.gapMs);
        if (!closed) res.write(text.slice(i, i + size));
      }
    };
    for (const raw of reply.rawLines ?? []) if (!closed) res.write(`${raw}\n`);
    for (const t of reply.thinking ?? []) await send(line("", { thinking: t }));
    for (const [i, c] of chunks.entries()) {
      if (reply.resetAfter === i) {
        await sleep(50);
        closed = true;
        return res.socket?.destroy();
      }
      if (reply.midStreamError && i === reply.midStreamError.after) {
        await send({ error: reply.midStreamError.message });
        return res.end();
      }
      await send(line(c));
    }
    if (reply.toolCalls) await send(line("", { tool_calls: reply.toolCalls }));
    if (reply.truncate) return res.end();
    await send(final);
    if (!closed) fake.completed++;
    res.end();
  });
  await new Promise<void>((r) => server.listen(opts.port ?? 0, "127.0.0.1", r));
  fake.port = (server.address() as AddressInfo).port;
  fake.url = `http://127.0.0.1:${fake.port}`;
  return fake;
}
