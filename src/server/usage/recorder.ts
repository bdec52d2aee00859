import "server-only";
import { env } from "../env";
import { log } from "../log";
import { requestDiscarded, requestFinished, requestStarted } from "../metrics/observe";
import type { ApiError } from "../openai/errors";
import type { RunResult } from "../providers/types";
import { forgetUpstreamHost, upstreamHostOf } from "../providers/upstream";
import { takeSteps } from "../steps/log";
import { stepsMeasured, stepsTraced } from "../steps/observe";
import { recordedSteps } from "../steps/record";
import { providerOf } from "./attribution";
import { beginRequest, finishRequest, type RequestRow } from "./store";

/** Longest model name stored (a longer name the client sent is cut, with a mark). */
const NAME_LIMIT = 256;
const capName = (s: string) => (s.length > NAME_LIMIT ? `${s.slice(0, NAME_LIMIT)}…` : s);

export interface RequestContext {
  id: string;
  startedAt: number;
  method: string;
  path: string;
  userAgent: string | null;
  clientAddress: string | null;
  /** The caller's W3C trace context (its spans parent the request's trace). */
  traceparent?: string | null;
  tracestate?: string | null;
  /** The `X-Agent-Steps` header: how the client wants the run's steps (steps/feed.ts stepsMode). */
  agentSteps?: string | null;
}

export type Outcome =
  | { status: "ok"; result: RunResult }
  | { status: "error"; error: ApiError; result?: Partial<RunResult> }
  | { status: "cancelled"; reason: string; result?: Partial<RunResult> };

/** Collects what is known about one chat request and writes its single record, exactly once. */
export class RequestRecorder {
  model = "";
  provider = "";
  stream = false;
  sessionId: string | null = null;
  upstreamModel: string | null = null;
  /** The API key that made the request (null: admin, console or open gateway). */
  keyId: string | null = null;
  /** The client's messages (JSON) and the answer, stored with the record when STORE_CONTENT is on. */
  prompt: string | null = null;
  answer: string | null = null;
  private firstTokenAt: number | null = null;
  private finished: Promise<void> | null = null;

  /** The model name the client sent, when an alias mapped it to `model`. */
  requestedModel: string | null = null;
  private began = false;

  constructor(readonly ctx: RequestContext) {
    requestStarted(ctx.path);
  }

  /**
   * Queues the request's `running` record, so a gateway that dies before the end still leaves a
   * trace (marked `interrupted` at the next start). Written with the next batch, off this call's path.
   */
  begin(): void {
    if (this.began || this.finished) return;
    this.began = true;
    beginRequest(this.ctx.id, () => ({ row: this.row({ status: "running" }), content: this.content() }));
  }

  markFirstToken(): void {
    this.firstTokenAt ??= Date.now();
  }

  /** Writes the record; later calls return the first call's promise. Never throws. */
  finish(outcome: Outcome): Promise<void> {
    this.finished ??= this.write(outcome);
    return this.finished;
  }

  /** Ends the request without a record (a successful read that is only logged); a later finish writes nothing. */
  discard(): void {
    if (this.finished) return;
    this.finished = Promise.resolve();
    requestDiscarded(this.ctx.path);
  }

  get isFinished(): boolean {
    return this.finished !== null;
  }

  private content() {
    return env().STORE_CONTENT && this.prompt ? { prompt: this.prompt, answer: this.answer ?? "" } : null;
  }

  private row(outcome: Outcome | { status: "running" }): RequestRow {
    const now = Date.now();
    const result = "result" in outcome ? outcome.result : undefined;
    const usage = result?.usage;
    const err = outcome.status === "error" ? outcome.error : null;
    const cancelled = outcome.status === "cancelled" ? outcome : null;
    const running = outcome.status === "running";
    // An alias (MODEL_ALIASES) is recorded as its model, the name sent kept as requestedModel (the front
    // door resolves it: http/front-door.ts).
    const model = this.model;
    const requestedModel = this.requestedModel;
    return {
      id: this.ctx.id,
      createdAt: new Date(this.ctx.startedAt),
      model: capName(model),
      provider: this.provider || providerOf(model),
      upstreamModel: result?.upstreamModel ?? this.upstreamModel,
      stream: this.stream,
      sessionId: this.sessionId,
      status: outcome.status,
      httpStatus: err ? err.status : cancelled ? 499 : running ? 0 : 200,
      errorType: err ? err.type : cancelled ? "cancelled" : null,
      errorCode: err ? err.code : null,
      errorMessage: err ? err.message : cancelled ? cancelled.reason : null,
      finishReason: result?.finishReason ?? null,
      promptTokens: usage?.promptTokens ?? 0,
      completionTokens: usage?.completionTokens ?? 0,
      totalTokens: (usage?.promptTokens ?? 0) + (usage?.completionTokens ?? 0),
      cachedTokens: usage?.cachedTokens ?? 0,
      costUsd: result?.costUsd ?? null,
      durationMs: running ? 0 : now - this.ctx.startedAt,
      ttftMs: this.firstTokenAt === null ? null : this.firstTokenAt - this.ctx.startedAt,
      userAgent: this.ctx.userAgent,
      clientAddress: this.ctx.clientAddress,
      endpoint: this.ctx.path.slice(0, 200),
      requestedModel: requestedModel === null ? null : capName(requestedModel),
      keyId: this.keyId,
      parentRequestId: result?.parentRequestId ?? null,
      toolWaitMs: result?.toolWaitMs ?? null,
      // The host that served the run; for a failed or cancelled one, the host it was on, if any.
      upstreamHost: result?.upstreamHost ?? upstreamHostOf(this.ctx.id),
    };
  }

  private async write(outcome: Outcome): Promise<void> {
    const row = this.row(outcome);
    forgetUpstreamHost(this.ctx.id);
    // The run's steps: stored with the record, measured and traced (steps/observe.ts) from here.
    const run = takeSteps(this.ctx.id);
    const endedAt = Date.now();
    const steps = recordedSteps(run, endedAt, env().STORE_CONTENT);
    const { method, path, startedAt, traceparent = null, tracestate = null } = this.ctx;
    const traced = {
      method,
      path,
      startedAt,
      endedAt,
      traceparent,
      tracestate,
      prompt: this.prompt,
      answer: this.answer,
    };
    stepsMeasured(row, run);
    if (run?.dropped)
      log({
        level: "warn",
        msg: "steps past the bound not kept",
        id: row.id,
        kept: steps.length,
        dropped: run.dropped,
      });
    const saved = await finishRequest(row, this.content(), steps);
    stepsTraced(traced, row, run);
    if (!saved) {
      log({ level: "error", msg: "usage record not saved yet (queued, retried)", id: row.id }, "stderr");
    }
    requestFinished(this.ctx.path, row);
    if (env().LOG_REQUESTS || !saved) {
      const { userAgent, errorMessage, createdAt, ...rest } = row;
      log({
        level: row.status === "ok" ? "info" : "warn",
        msg: "chat.completion",
        time: createdAt.toISOString(),
        method: this.ctx.method,
        path: this.ctx.path,
        ...rest,
        error: errorMessage ?? undefined,
        saved,
      });
    }
  }
}
