/**
 * Fake Anthropic Messages API on 127.0.0.1 (random port), for running the real
 * `claude` CLI in tests: ANTHROPIC_BASE_URL=fake.url, ANTHROPIC_API_KEY=anything.
 *
 * - POST /v1/messages: SSE when `stream: true`, JSON otherwise.
 * - POST /v1/messages/count_tokens: `{input_tokens}` estimate.
 * - GET /v1/models: a small list. Anything else: 404 with an Anthropic error body.
 *
 * What a request gets is chosen, first match wins, by: the script set with
 * `setScript(fn)` (return undefined to fall through), then a marker in the text of
 * the last user message, then the default (reply "Echo: <that text>").
 * Markers: [[fake:slow]] or [[fake:slow=MS]] (delay between deltas),
 * [[fake:error=401|429|529|…]], [[fake:midstream-error]] (every call fails: streams
 * get an SSE error event after 2 deltas, the CLI's non-streaming retry gets 529),
 * [[fake:midstream-error=recover]] (streams fail, the non-streaming retry succeeds),
 * [[fake:hang]]. Markers are left out of the echoed text.
 *
 * Observed with claude-code 2.1.330 in `-p` stream-json mode: one POST
 * /v1/messages?beta=true per model call and no other request (no count_tokens,
 * no title/quota call, no other host). After a mid-stream error it repeats the call
 * with `stream: false`; on 401/429/529 it retries up to CLAUDE_CODE_MAX_RETRIES
 * times (default 10, ~3 min; `retry-after` does not shorten it). The query string
 * is kept in `url`; `path` drops it. `mainRequests()` skips side calls should a
 * version make them (other endpoints, small-model calls with no tools).
 *
 * A Claude plan's limits: `setPlanHeaders(planHeaders({…}))` adds the API's
 * `anthropic-ratelimit-unified-*` headers to every Messages answer (errors included). The CLI
 * reads them only with an OAuth login (`CLAUDE_CODE_OAUTH_TOKEN`, any value, and no
 * ANTHROPIC_API_KEY) and turns a change into a `rate_limit_event` message on its stream.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

export type FakeBehavior =
  /** A normal answer. `text` defaults to "Echo: <last user text>"; `chunks` overrides the split. */
  | {
      type: "reply";
      text?: string;
      chunks?: string[];
      delayMs?: number;
      usage?: Partial<FakeUsage>;
      stopReason?: string;
      /** A thinking block before the text (streamed as thinking_delta, then a signature_delta). */
      thinking?: string;
      /** Tool calls after the text (stop_reason "tool_use"); `name` may be a suffix of an offered tool's name. */
      toolUses?: Array<{ name: string; input: unknown; id?: string }>;
    }
  /** An HTTP error with an Anthropic-shaped body; `headers` e.g. {"retry-after":"0"}. */
  | { type: "error"; status: number; errorType?: string; message?: string; headers?: Record<string, string> }
  /**
   * Streams `afterChunks` (2) deltas, then an SSE `error` event, and ends. A non-streaming
   * call (the CLI's retry) gets a 529, or a normal reply when `recover` is true.
   */
  | {
      type: "stream-error";
      afterChunks?: number;
      errorType?: string;
      message?: string;
      text?: string;
      delayMs?: number;
      recover?: boolean;
    }
  /** Never answers (until the client goes away or the fake closes). */
  | { type: "hang" };

export interface RecordedRequest {
  seq: number;
  method: string;
  /** Path without the query string, e.g. "/v1/messages". */
  path: string;
  /** Path with the query string, e.g. "/v1/messages?beta=true". */
  url: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body, or the raw text when it is not JSON, or undefined when empty. */
  body: any;
  receivedAt: number;
  /** What the fake answered with (set before the answer starts). */
  behavior?: FakeBehavior["type"] | "other";
}

export interface ScriptContext {
  /** Index of this request among POST /v1/messages calls (0-based, reset by reset()). */
  messageIndex: number;
  /** Text of the last user message (see lastUserText). */
  lastUserText: string;
  isMain: boolean;
}

export type FakeScript = (
  req: RecordedRequest,
  ctx: ScriptContext,
) => FakeBehavior | undefined | Promise<FakeBehavior | undefined>;

export interface FakeAnthropicOptions {
  /** Default delay between text deltas, ms (0). */
  delayMs?: number;
  /** Delay used by [[fake:slow]] without a number, ms (200). */
  slowDelayMs?: number;
  /**
   * Usage reported when a behaviour gives none. Defaults: input 21, cache_creation 5,
   * cache_read 3, output = number of text deltas.
   */
  usage?: Partial<FakeUsage>;
  script?: FakeScript;
  /** Log each request line to stderr. */
  log?: boolean;
}

/** One usage window of a plan, as the API's headers give it (`reset`: Unix seconds). */
export interface PlanWindowHeaders {
  utilization: number;
  reset: number;
  status?: "allowed" | "allowed_warning" | "rejected";
}

export interface PlanHeaderInit {
  /** The plan's status (of the binding window): `allowed` (default), `allowed_warning`, `rejected`. */
  status?: "allowed" | "allowed_warning" | "rejected";
  /** The binding window ("representative claim"): `five_hour` (default), `seven_day`, `seven_day_opus`… */
  claim?: string;
  /** When the binding window resets (Unix seconds); default: five_hour's reset. */
  reset?: number;
  fiveHour?: PlanWindowHeaders;
  sevenDay?: PlanWindowHeaders;
  /** Paid overage: `allowed`, `allowed_warning` or `rejected` (then `overageDisabledReason`). */
  overageStatus?: "allowed" | "allowed_warning" | "rejected";
  overageDisabledReason?: string;
}

/** The `anthropic-ratelimit-unified-*` headers of a plan's state (the names the CLI 2.1.332 reads). */
export function planHeaders(p: PlanHeaderInit): Record<string, string> {
  const h: Record<string, string> = {};
  const P = "anthropic-ratelimit-unified-";
  h[`${P}status`] = p.status ?? "allowed";
  h[`${P}representative-claim`] = p.claim ?? "five_hour";
  const reset = p.reset ?? p.fiveHour?.reset;
  if (reset !== undefined) h[`${P}reset`] = String(reset);
  for (const [abbr, w] of [
    ["5h", p.fiveHour],
    ["7d", p.sevenDay],
  ] as const) {
    if (!w) continue;
    h[`${P}${abbr}-utilization`] = String(w.utilization);
    h[`${P}${abbr}-reset`] = String(w.reset);
    if (w.status) h[`${P}${abbr}-status`] = w.status;
  }
  if (p.overageStatus) h[`${P}overage-status`] = p.overageStatus;
  if (p.overageDisabledReason) h[`${P}overage-disabled-reason`] = p.overageDisabledReason;
  return h;
}

export interface FakeAnthropic {
  /** Base URL for ANTHROPIC_BASE_URL, e.g. "http://127.0.0.1:41234" (no trailing slash). */
  url: string;
  port: number;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /** POST /v1/messages calls that belong to the conversation (see isMainRequest). */
  mainRequests(): RecordedRequest[];
  setScript(fn: FakeScript | undefined): void;
  /** Headers added to every Messages answer (planHeaders() for a plan's limits); undefined: none. */
  setPlanHeaders(headers: Record<string, string> | undefined): void;
  /** Forget recorded requests (keeps the script). */
  reset(): void;
  close(): Promise<void>;
}

const DEFAULT_USAGE: FakeUsage = {
  input_tokens: 21,
  output_tokens: 0,
  cache_creation_input_tokens: 5,
  cache_read_input_tokens: 3,
};

const ERROR_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  529: "overloaded_error",
};

const ERROR_MESSAGES: Record<string, string> = {
  authentication_error: "invalid x-api-key",
  rate_limit_error: "Number of requests has exceeded your rate limit",
  overloaded_error: "Overloaded",
  api_error: "Internal server error",
};

const MARKER_RE = /\[\[fake:([a-z-]+)(?:=([^\]]*))?\]\]/;
const MARKER_RE_G = new RegExp(MARKER_RE.source, "g");

type Json = any;

/**
 * Text blocks the CLI adds on its own, which a model reads as notes rather than the user's words:
 * `<system-reminder>`s, the `[Image: source: …]` after an image, and the record of a local command
 * (`/clear` on a reused process: its caveat, the command, its empty output).
 */
const CLI_NOTES =
  /^\s*(<system-reminder>|\[Image: source:|<local-command-caveat>|<command-name>|<local-command-stdout>)/;

function textOf(content: Json): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .filter((b: Json) => b && b.type === "text" && typeof b.text === "string")
    .map((b: Json) => b.text as string)
    .filter((t: string) => !CLI_NOTES.test(t))
    .join("\n");
}

/**
 * Text of the last user message of a Messages API body that has any text. Left out:
 * the CLI's own notes (CLI_NOTES). (The CLI also puts `role: "system"` entries into `messages`; they are skipped.)
 */
export function lastUserText(body: Json): string {
  const messages: Json[] = Array.isArray(body?.messages) ? body.messages : [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m?.role !== "user") continue;
    const text = textOf(m.content);
    if (text.trim() !== "") return text;
  }
  return "";
}

/** All text of the `system` field (string or blocks). */
export function systemText(body: Json): string {
  const s = body?.system;
  if (typeof s === "string") return s;
  if (Array.isArray(s)) return s.map((b: Json) => (typeof b?.text === "string" ? b.text : "")).join("\n");
  return "";
}

/** Image blocks anywhere in the messages of a body. */
export function imageBlocks(body: Json): Json[] {
  const out: Json[] = [];
  for (const m of Array.isArray(body?.messages) ? body.messages : []) {
    if (Array.isArray(m?.content)) out.push(...m.content.filter((b: Json) => b?.type === "image"));
  }
  return out;
}

/** Text of every user/assistant message, in order (for asserting earlier turns on --resume). */
export function conversationTexts(body: Json): Array<{ role: string; text: string }> {
  const messages: Json[] = Array.isArray(body?.messages) ? body.messages : [];
  return messages
    .filter((m) => m?.role === "user" || m?.role === "assistant")
    .map((m) => ({ role: m.role as string, text: textOf(m.content) }))
    .filter((m) => m.text.trim() !== "");
}

/**
 * A conversation call: POST /v1/messages that is not a side call. A side call (title,
 * topic or quota check on a small model) would carry no tools and a tiny max_tokens.
 */
export function isMainRequest(r: RecordedRequest): boolean {
  if (r.method !== "POST" || r.path !== "/v1/messages") return false;
  const b = r.body;
  if (!b || typeof b !== "object") return false;
  const tiny = typeof b.max_tokens === "number" && b.max_tokens <= 512;
  const hasTools = Array.isArray(b.tools) && b.tools.length > 0;
  return hasTools || !tiny;
}

function fromMarker(text: string, opts: FakeAnthropicOptions): FakeBehavior | undefined {
  const m = MARKER_RE.exec(text);
  if (!m) return undefined;
  const [, name, arg] = m;
  switch (name) {
    case "slow":
      return { type: "reply", delayMs: arg ? Number(arg) : (opts.slowDelayMs ?? 200) };
    case "error":
      return { type: "error", status: Number(arg ?? 500) };
    case "midstream-error":
      return { type: "stream-error", recover: arg === "recover" };
    case "hang":
      return { type: "hang" };
    case "think":
      return { type: "reply", thinking: arg ?? "Thinking it over." };
    default:
      return undefined;
  }
}

/** The tool_result blocks of the last message, when it is a user message carrying them. */
export function lastToolResults(body: Json): Array<{ id: string; text: string; isError: boolean }> {
  const last = Array.isArray(body?.messages) ? body.messages.at(-1) : undefined;
  if (last?.role !== "user" || !Array.isArray(last.content)) return [];
  return last.content
    .filter((b: Json) => b?.type === "tool_result")
    .map((b: Json) => ({
      id: String(b.tool_use_id),
      text: typeof b.content === "string" ? b.content : textOf(b.content),
      isError: b.is_error === true,
    }));
}

/** A value that fits a JSON Schema (the first enum value, required properties filled), for StructuredOutput. */
export function sampleOf(schema: Json): Json {
  if (!schema || typeof schema !== "object") return null;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  if ("const" in schema) return schema.const;
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  if (type === "object" || schema.properties) {
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(schema.properties ?? {})) out[k] = sampleOf(v);
    return out;
  }
  if (type === "array") return schema.items ? [sampleOf(schema.items)] : [];
  if (type === "string") return "sample";
  if (type === "integer" || type === "number") return 1;
  if (type === "boolean") return true;
  return null;
}

/**
 * With tools offered and no other choice made: after tool results, a reply naming them ("Got: …");
 * `[[fake:tool=NAME]]` markers (one or more) call those tools with `{"q": <the text>}`; an offered
 * StructuredOutput tool is called with a sample value of its schema.
 */
function fromTools(body: Json, text: string): FakeBehavior | undefined {
  const tools: Json[] = Array.isArray(body?.tools) ? body.tools : [];
  if (tools.length === 0) return undefined;
  const results = lastToolResults(body);
  if (results.length > 0) {
    return { type: "reply", text: `Got: ${results.map((r) => `${r.isError ? "error " : ""}${r.text}`).join(" | ")}` };
  }
  const said = text.replace(MARKER_RE_G, "").trim();
  const wanted = [...text.matchAll(/\[\[fake:tool=([^\]]+)\]\]/g)].map((m) => m[1] as string);
  if (wanted.length > 0)
    return { type: "reply", text: "", toolUses: wanted.map((name) => ({ name, input: { q: said } })) };
  const structured = tools.find((t) => t?.name === "StructuredOutput");
  if (structured)
    return {
      type: "reply",
      text: "",
      toolUses: [{ name: "StructuredOutput", input: sampleOf(structured.input_schema) }],
    };
  return undefined;
}

function splitText(text: string): string[] {
  const parts = text.match(/\S+\s*|\s+/g) ?? [];
  return parts.length > 0 ? parts : [text];
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

let idCounter = 0;
const newId = (prefix: string) => `${prefix}_fake${Date.now().toString(36)}${(idCounter++).toString(36)}`;

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const data = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(data),
    "request-id": newId("req"),
    ...headers,
  });
  res.end(data);
}

function errorBody(type: string, message: string) {
  return { type: "error", error: { type, message }, request_id: newId("req") };
}

export async function startFakeAnthropic(opts: FakeAnthropicOptions = {}): Promise<FakeAnthropic> {
  const requests: RecordedRequest[] = [];
  let script = opts.script;
  let plan: Record<string, string> = {};
  let messageIndex = 0;
  let seq = 0;
  const open = new Set<ServerResponse>();

  async function answerMessages(rec: RecordedRequest, res: ServerResponse) {
    const body = rec.body ?? {};
    const text = lastUserText(body);
    const ctx: ScriptContext = { messageIndex: messageIndex++, lastUserText: text, isMain: isMainRequest(rec) };
    const chosen = (script ? await script(rec, ctx) : undefined) ??
      fromTools(body, text) ??
      fromMarker(text, opts) ?? { type: "reply" as const };
    rec.behavior = chosen.type;
    const model = typeof body.model === "string" ? body.model : "claude-fake";
    const stream = body.stream === true;

    if (chosen.type === "hang") return; // left open; ended by the client or close()

    if (chosen.type === "error") {
      const type = chosen.errorType ?? ERROR_TYPES[chosen.status] ?? "api_error";
      const headers: Record<string, string> = { ...plan, ...chosen.headers };
      if (chosen.status === 429 || chosen.status >= 500) headers["retry-after"] ??= "0";
      sendJson(res, chosen.status, errorBody(type, chosen.message ?? ERROR_MESSAGES[type] ?? "Error"), headers);
      return;
    }

    const said = text.replace(MARKER_RE_G, "").trim();
    const replyText = chosen.text ?? (said === "" ? "Hello from the fake." : `Echo: ${said.slice(0, 200)}`);
    const chunks = chosen.type === "reply" && chosen.chunks ? chosen.chunks : replyText ? splitText(replyText) : [];
    const offered: string[] = Array.isArray(body.tools) ? body.tools.map((t: Json) => String(t?.name)) : [];
    const toolUses = (chosen.type === "reply" ? (chosen.toolUses ?? []) : []).map((t) => ({
      id: t.id ?? newId("toolu"),
      name: offered.find((n) => n === t.name) ?? offered.find((n) => n.endsWith(`__${t.name}`)) ?? t.name,
      input: t.input,
    }));
    const delayMs = chosen.delayMs ?? opts.delayMs ?? 0;
    const usage: FakeUsage = {
      ...DEFAULT_USAGE,
      output_tokens: chunks.length,
      ...opts.usage,
      ...(chosen.type === "reply" ? chosen.usage : undefined),
    };
    const thinking = chosen.type === "reply" ? chosen.thinking : undefined;
    const base = thinking ? 1 : 0;
    const stopReason = (chosen.type === "reply" && chosen.stopReason) || (toolUses.length ? "tool_use" : "end_turn");
    const id = newId("msg");

    if (!stream) {
      if (chosen.type === "stream-error" && !chosen.recover) {
        sendJson(res, 529, errorBody("overloaded_error", "Overloaded"), { ...plan, "retry-after": "0" });
        return;
      }
      if (delayMs > 0) await sleep(delayMs);
      sendJson(
        res,
        200,
        {
          id,
          type: "message",
          role: "assistant",
          model,
          content: [
            ...(thinking ? [{ type: "thinking", thinking, signature: "fake-signature" }] : []),
            ...(chunks.length ? [{ type: "text", text: chunks.join("") }] : []),
            ...toolUses.map((t) => ({ type: "tool_use", ...t })),
          ],
          stop_reason: stopReason,
          stop_sequence: null,
          usage,
        },
        plan,
      );
      return;
    }

    res.writeHead(200, {
      ...plan,
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      "request-id": newId("req"),
    });
    res.flushHeaders();
    const send = (event: string, data: unknown) => {
      if (!res.destroyed) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    send("message_start", {
      type: "message_start",
      message: {
        id,
        type: "message",
        role: "assistant",
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...usage, output_tokens: 1 },
      },
    });
    if (thinking) {
      send("content_block_start", {
        type: "content_block_start",
        index: 0,
        content_block: { type: "thinking", thinking: "" },
      });
      for (const part of splitText(thinking)) {
        send("content_block_delta", {
          type: "content_block_delta",
          index: 0,
          delta: { type: "thinking_delta", thinking: part },
        });
      }
      send("content_block_delta", {
        type: "content_block_delta",
        index: 0,
        delta: { type: "signature_delta", signature: "fake-signature" },
      });
      send("content_block_stop", { type: "content_block_stop", index: 0 });
    }
    const textBlock = chunks.length > 0 || toolUses.length === 0;
    if (textBlock) {
      send("content_block_start", {
        type: "content_block_start",
        index: base,
        content_block: { type: "text", text: "" },
      });
    }
    send("ping", { type: "ping" });
    const limit = chosen.type === "stream-error" ? (chosen.afterChunks ?? 2) : chunks.length;
    for (let i = 0; i < Math.min(limit, chunks.length); i++) {
      if (res.destroyed) return;
      if (delayMs > 0 && i > 0) await sleep(delayMs);
      send("content_block_delta", {
        type: "content_block_delta",
        index: base,
        delta: { type: "text_delta", text: chunks[i] },
      });
    }
    if (chosen.type === "stream-error") {
      const type = chosen.errorType ?? "overloaded_error";
      send("error", { type: "error", error: { type, message: chosen.message ?? ERROR_MESSAGES[type] ?? "Error" } });
      res.end();
      return;
    }
    if (textBlock) send("content_block_stop", { type: "content_block_stop", index: base });
    for (const [i, t] of toolUses.entries()) {
      const index = base + (textBlock ? 1 : 0) + i;
      const json = JSON.stringify(t.input ?? {});
      send("content_block_start", {
        type: "content_block_start",
        index,
        content_block: { type: "tool_use", id: t.id, name: t.name, input: {} },
      });
      // The arguments in two pieces, as the API streams them.
      const cut = Math.floor(json.length / 2);
      for (const part of [json.slice(0, cut), json.slice(cut)]) {
        send("content_block_delta", {
          type: "content_block_delta",
          index,
          delta: { type: "input_json_delta", partial_json: part },
        });
      }
      send("content_block_stop", { type: "content_block_stop", index });
    }
    send("message_delta", {
      type: "message_delta",
      delta: { stop_reason: stopReason, stop_sequence: null },
      usage,
    });
    send("message_stop", { type: "message_stop" });
    res.end();
  }

  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on("data", (c: Buffer) => parts.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(parts).toString("utf8");
      let body: Json;
      try {
        body = raw === "" ? undefined : JSON.parse(raw);
      } catch {
        body = raw;
      }
      const url = req.url ?? "/";
      const rec: RecordedRequest = {
        seq: seq++,
        method: req.method ?? "GET",
        path: url.split("?")[0] ?? url,
        url,
        headers: req.headers,
        body,
        receivedAt: Date.now(),
      };
      requests.push(rec);
      if (opts.log) process.stderr.write(`[fake-anthropic] ${rec.method} ${url} model=${body?.model ?? "-"}\n`);
      open.add(res);
      res.on("close", () => open.delete(res));

      if (rec.method === "POST" && rec.path === "/v1/messages") {
        answerMessages(rec, res).catch((err: unknown) => {
          if (!res.headersSent) sendJson(res, 500, errorBody("api_error", String(err)));
          else res.destroy();
        });
        return;
      }
      rec.behavior = "other";
      if (rec.method === "POST" && rec.path === "/v1/messages/count_tokens") {
        sendJson(res, 200, { input_tokens: Math.max(1, Math.ceil(raw.length / 4)) });
      } else if (rec.method === "GET" && rec.path === "/v1/models") {
        sendJson(res, 200, {
          data: [{ type: "model", id: "claude-fake", display_name: "Claude Fake", created_at: "2025-01-01T00:00:00Z" }],
          has_more: false,
          first_id: "claude-fake",
          last_id: "claude-fake",
        });
      } else if (rec.method === "HEAD" || (rec.method === "GET" && rec.path === "/")) {
        res.writeHead(200).end();
      } else {
        sendJson(res, 404, errorBody("not_found_error", `Not found: ${rec.method} ${rec.path}`));
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    mainRequests: () => requests.filter(isMainRequest),
    setScript(fn) {
      script = fn;
    },
    setPlanHeaders(headers) {
      plan = { ...headers };
    },
    reset() {
      requests.length = 0;
      messageIndex = 0;
    },
    close() {
      for (const res of open) res.destroy();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
