import "server-only";
import { env } from "../env";
import { requestFinished, requestStarted } from "../metrics/observe";
import { noteRecordWriteFailed } from "../metrics/sources";
import type { ApiError } from "../openai/errors";
import type { RunResult } from "../providers/types";
import { providerOf } from "./attribution";
import { insertRequest, type RequestRow } from "./store";

export interface RequestContext {
  id: string;
  startedAt: number;
  method: string;
  path: string;
  userAgent: string | null;
  clientAddress: string | null;
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

  constructor(readonly ctx: RequestContext) {
    requestStarted(ctx.path);
  }

  markFirstToken(): void {
    this.firstTokenAt ??= Date.now();
  }

  /** Writes the record; later calls return the first call's promise. Never throws. */
  finish(outcome: Outcome): Promise<void> {
    this.finished ??= this.write(outcome);
    return this.finished;
  }

  get isFinished(): boolean {
    return this.finished !== null;
  }

  private async write(outcome: Outcome): Promise<void> {
    const now = Date.now();
    const usage = outcome.result?.usage;
    const err = outcome.status === "error" ? outcome.error : null;
    const row: RequestRow = {
      id: this.ctx.id,
      createdAt: new Date(this.ctx.startedAt),
      model: this.model,
      provider: this.provider || providerOf(this.model),
      upstreamModel: outcome.result?.upstreamModel ?? this.upstreamModel,
      stream: this.stream,
      sessionId: this.sessionId,
      status: outcome.status,
      httpStatus: err ? err.status : outcome.status === "cancelled" ? 499 : 200,
      errorType: err ? err.type : outcome.status === "cancelled" ? "cancelled" : null,
      errorCode: err ? err.code : null,
      errorMessage: err ? err.message : outcome.status === "cancelled" ? outcome.reason : null,
      finishReason: outcome.result?.finishReason ?? null,
      promptTokens: usage?.promptTokens ?? 0,
      completionTokens: usage?.completionTokens ?? 0,
      totalTokens: (usage?.promptTokens ?? 0) + (usage?.completionTokens ?? 0),
      cachedTokens: usage?.cachedTokens ?? 0,
      costUsd: outcome.result?.costUsd ?? null,
      durationMs: now - this.ctx.startedAt,
      ttftMs: this.firstTokenAt === null ? null : this.firstTokenAt - this.ctx.startedAt,
      userAgent: this.ctx.userAgent,
      clientAddress: this.ctx.clientAddress,
      endpoint: this.ctx.path.slice(0, 200),
      keyId: this.keyId,
      parentRequestId: outcome.result?.parentRequestId ?? null,
      toolWaitMs: outcome.result?.toolWaitMs ?? null,
    };
    let saved = true;
    try {
      const content = env().STORE_CONTENT && this.prompt ? { prompt: this.prompt, answer: this.answer ?? "" } : null;
      await insertRequest(row, content);
    } catch (e) {
      saved = false;
      noteRecordWriteFailed();
      console.error(JSON.stringify({ level: "error", msg: "usage record not saved", id: row.id, error: String(e) }));
    }
    requestFinished(this.ctx.path, row);
    if (env().LOG_REQUESTS || !saved) {
      const { userAgent, errorMessage, createdAt, ...rest } = row;
      console.log(
        JSON.stringify({
          level: row.status === "ok" ? "info" : "warn",
          msg: "chat.completion",
          time: createdAt.toISOString(),
          method: this.ctx.method,
          path: this.ctx.path,
          ...rest,
          error: errorMessage ?? undefined,
          saved,
        }),
      );
    }
  }
}
