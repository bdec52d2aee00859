import "server-only";
// One trace per request, made from its record and its steps once it ended (the steps' own timestamps):
// the request's span (parented by the caller's `traceparent`, when it sent one), an `invoke_agent
// claude-code` span per Claude Code turn, a `chat {model}` span per model call and an `execute_tool
// {tool}` span per tool call, a sub-agent's under the Task/Agent call that started it; attributes as the
// OpenTelemetry GenAI semantic conventions name them.
import {
  type Attributes,
  type Context,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import type { StepLog } from "../steps/log";
import type { Step } from "../steps/types";
import type { RequestRow } from "../usage/store";
import type { Tracing } from "./setup";

/** What the request's span needs besides its record. */
export interface TracedRequest {
  method: string;
  path: string;
  startedAt: number;
  endedAt: number;
  traceparent: string | null;
  tracestate: string | null;
  /** The client's messages and the answer (only sent with OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT). */
  prompt: string | null;
  answer: string | null;
}

const propagator = new W3CTraceContextPropagator();

/** The caller's trace context (`traceparent`, `tracestate`), or the root. */
export function callerContext(traceparent: string | null, tracestate: string | null): Context {
  if (!traceparent) return ROOT_CONTEXT;
  const carrier: Record<string, string> = { traceparent };
  if (tracestate) carrier.tracestate = tracestate;
  return propagator.extract(ROOT_CONTEXT, carrier, {
    get: (c, k) => c[k],
    keys: (c) => Object.keys(c),
  });
}

/** A path as its route: ids (`resp_…`, `msg_…`) as `{id}`, so span names stay few. */
const routeOf = (path: string) => path.replace(/\/(resp|msg|req|chatcmpl)[_-][\w-]+/g, "/{id}");

/** The provider as the conventions name it (gen_ai.provider.name). */
const providerName = (p: string) => (p === "claude-code" ? "anthropic" : p || "unknown");

export function traceRequest(t: Tracing, req: TracedRequest, row: RequestRow, log: StepLog | null): void {
  const provider = providerName(row.provider);
  const conversation = row.sessionId ?? log?.turns.find((x) => x.sessionId)?.sessionId ?? undefined;
  const common: Attributes = {
    "gen_ai.provider.name": provider,
    "gen_ai.request.model": row.model,
    ...(conversation ? { "gen_ai.conversation.id": conversation } : {}),
  };
  const operation = /\/embeddings$/.test(req.path)
    ? "embeddings"
    : /\/(chat\/completions|responses|messages)$/.test(req.path)
      ? "chat"
      : null;
  const root = t.tracer.startSpan(
    `${req.method} ${routeOf(req.path)}`,
    {
      kind: SpanKind.SERVER,
      startTime: req.startedAt,
      attributes: {
        ...common,
        ...(operation ? { "gen_ai.operation.name": operation } : {}),
        "http.request.method": req.method,
        "url.path": req.path,
        "http.response.status_code": row.httpStatus,
        "cc_bridge.request.id": row.id,
        ...(row.upstreamModel ? { "gen_ai.response.model": row.upstreamModel } : {}),
        "gen_ai.usage.input_tokens": row.promptTokens,
        "gen_ai.usage.output_tokens": row.completionTokens,
        ...(row.finishReason ? { "gen_ai.response.finish_reasons": [row.finishReason] } : {}),
        ...(t.content && req.prompt ? { "gen_ai.input.messages": req.prompt } : {}),
        ...(t.content && req.answer !== null ? { "gen_ai.output.messages": req.answer } : {}),
      },
    },
    callerContext(req.traceparent, req.tracestate),
  );
  if (row.status !== "ok") {
    root.setStatus({ code: SpanStatusCode.ERROR, message: row.errorMessage ?? row.status });
    root.setAttribute("error.type", row.errorType ?? row.status);
  }
  const rootCtx = trace.setSpan(ROOT_CONTEXT, root);
  const steps = log?.steps ?? [];
  // Claude Code: an invoke_agent span per turn (leg) holds the steps it made; Ollama's steps go under the request.
  const turnCtx: { from: number; to: number; ctx: Context; span: Span }[] = [];
  if (row.provider === "claude-code") {
    for (const turn of log?.turns ?? []) {
      const span = t.tracer.startSpan(
        "invoke_agent claude-code",
        {
          kind: SpanKind.INTERNAL,
          startTime: turn.startedAt,
          attributes: {
            ...common,
            "gen_ai.operation.name": "invoke_agent",
            "gen_ai.agent.name": "claude-code",
            ...(turn.model ? { "gen_ai.request.model": turn.model } : {}),
            ...(turn.sessionId ? { "gen_ai.conversation.id": conversation ?? turn.sessionId } : {}),
          },
        },
        rootCtx,
      );
      turnCtx.push({
        from: turn.startedAt,
        to: turn.endedAt ?? req.endedAt,
        ctx: trace.setSpan(ROOT_CONTEXT, span),
        span,
      });
    }
  }
  const bySeq = new Map<number, Context>();
  for (const s of steps) {
    const parent =
      (s.parentSeq !== null ? bySeq.get(s.parentSeq) : undefined) ??
      turnCtx.find((x) => s.startedAt >= x.from && s.startedAt <= x.to)?.ctx ??
      turnCtx.at(-1)?.ctx ??
      rootCtx;
    const span = stepSpan(t, s, provider, parent, req.endedAt);
    if (s.kind === "tool") bySeq.set(s.seq, trace.setSpan(ROOT_CONTEXT, span));
  }
  // Parents end after their children (steps are ended as they are made, with their own end times).
  for (const x of turnCtx) x.span.end(x.to);
  root.end(req.endedAt);
}

function stepSpan(t: Tracing, s: Step, provider: string, parent: Context, endedAt: number): Span {
  const end = s.durationMs === null ? endedAt : s.startedAt + s.durationMs;
  if (s.kind === "model") {
    const span = t.tracer.startSpan(
      `chat ${s.model ?? "unknown"}`,
      {
        kind: SpanKind.CLIENT,
        startTime: s.startedAt,
        attributes: {
          "gen_ai.operation.name": "chat",
          "gen_ai.provider.name": provider,
          ...(s.model ? { "gen_ai.request.model": s.model, "gen_ai.response.model": s.model } : {}),
          ...(s.inputTokens !== null ? { "gen_ai.usage.input_tokens": s.inputTokens } : {}),
          ...(s.outputTokens !== null ? { "gen_ai.usage.output_tokens": s.outputTokens } : {}),
        },
      },
      parent,
    );
    span.end(end);
    return span;
  }
  const span = t.tracer.startSpan(
    `execute_tool ${s.tool ?? "tool"}`,
    {
      kind: SpanKind.INTERNAL,
      startTime: s.startedAt,
      attributes: {
        "gen_ai.operation.name": "execute_tool",
        "gen_ai.tool.name": s.tool ?? "tool",
        ...(s.callId ? { "gen_ai.tool.call.id": s.callId } : {}),
        "gen_ai.tool.type": s.tool?.startsWith("mcp__") ? "extension" : "function",
        ...(s.resultBytes !== null ? { "cc_bridge.tool.result_bytes": s.resultBytes } : {}),
        ...(t.content && s.summary ? { "gen_ai.tool.call.arguments": s.summary } : {}),
        ...(t.content && s.path ? { "cc_bridge.tool.path": s.path } : {}),
      },
    },
    parent,
  );
  if (s.outcome === "error") {
    span.setStatus({ code: SpanStatusCode.ERROR });
    span.setAttribute("error.type", "tool_error");
  }
  span.end(end);
  return span;
}
