import "server-only";
import { env } from "../env";
import { CompletionBuilder, MessageAccumulator } from "../openai/completion";
import { type ApiError, badRequest, toApiError } from "../openai/errors";
import type { ChatMessage, ChatRequest } from "../openai/schemas";
import { resolveModel, timeoutError } from "../providers/registry";
import type { ChatEvent, RunResult } from "../providers/types";
import { acquireSessionLock } from "../sessions/lock";
import { commitTurn, loadSession, sessionCostUsd } from "../sessions/store";
import type { RequestRecorder } from "../usage/recorder";
import { ClientCancelled, runSignal } from "./cancel";
import { planMessages, titleOf } from "./messages";
import { streamCompletion } from "./stream";

export interface ChatCall {
  request: ChatRequest;
  /** The client's X-Session-ID, if any. */
  sessionId: string | null;
  recorder: RequestRecorder;
  /** Aborts when the client goes away. */
  signal: AbortSignal;
}

export type ChatOutcome = { kind: "json"; body: unknown } | { kind: "stream"; body: ReadableStream<Uint8Array> };

const SESSION_ID = /^[\w.:@-]{1,128}$/;

export function checkSessionId(raw: string | null): string | null {
  if (raw == null || raw === "") return null;
  if (!SESSION_ID.test(raw)) {
    throw badRequest(
      "X-Session-ID must be 1-128 characters of letters, digits and . _ : @ -",
      "X-Session-ID",
      "invalid_session_id",
    );
  }
  return raw;
}

/** The finish of a run: store the turn (sessions) and write the record. */
export interface Finisher {
  ok(result: RunResult, acc: MessageAccumulator): Promise<void>;
  fail(e: unknown, partial?: Partial<RunResult>): Promise<ApiError | null>;
  release(): void;
}

/**
 * The one chat service used by /v1 and the playground: routes the model, serializes the session,
 * runs the provider and answers as JSON or as a stream; writes exactly one record.
 */
export async function runChat(call: ChatCall): Promise<ChatOutcome> {
  const { request, recorder, sessionId } = call;
  recorder.model = request.model;
  recorder.stream = request.stream === true;
  recorder.sessionId = sessionId;
  recorder.prompt = JSON.stringify(request.messages);
  const route = resolveModel(request.model);
  recorder.provider = route.provider.id;
  recorder.upstreamModel = route.upstreamModel;

  const run = runSignal(call.signal, route.timeoutMs, () => timeoutError(route));
  let release = () => {};
  const finisher: Finisher = {
    release: () => {
      run.dispose();
      release();
    },
    async ok(result, acc) {
      const message = acc.message();
      recorder.answer = message.tool_calls
        ? `${message.content ?? ""}\n${JSON.stringify(message.tool_calls)}`.trim()
        : (message.content ?? "");
      if (sessionId) {
        await commitTurn({
          sessionId,
          provider: route.provider.id,
          model: request.model,
          upstreamSessionId: result.upstreamSessionId ?? null,
          systemPrompt: plan.systemPrompt,
          messages: [...plan.fresh, message as ChatMessage],
          requestId: recorder.ctx.id,
          usage: result.usage,
          title: titleOf(plan.fresh) || titleOf(session?.history ?? []),
        });
      }
      await recorder.finish({ status: "ok", result });
    },
    async fail(e, partial) {
      const reason = run.signal.aborted ? run.signal.reason : e;
      if (reason instanceof ClientCancelled) {
        await recorder.finish({ status: "cancelled", reason: reason.message, result: partial });
        return null;
      }
      const error = toApiError(reason);
      await recorder.finish({ status: "error", error, result: partial });
      return error;
    },
  };

  let plan: ReturnType<typeof planMessages>;
  let session: Awaited<ReturnType<typeof loadSession>> = null;
  try {
    if (sessionId) release = await acquireSessionLock(sessionId, env().SESSION_WAIT_MS, run.signal);
    session = sessionId ? await loadSession(sessionId) : null;
    if (session && session.provider !== route.provider.id) {
      throw badRequest(
        `Session "${sessionId}" belongs to provider ${session.provider}; it cannot continue with ${request.model}.`,
        "X-Session-ID",
        "session_provider_mismatch",
      );
    }
    plan = planMessages(request.messages, session, route.provider.replaysHistory, sessionId !== null);
    const events = route.provider.run({
      model: request.model,
      upstreamModel: route.upstreamModel,
      messages: plan.send,
      request,
      session: sessionId
        ? {
            id: sessionId,
            upstreamSessionId: session?.upstreamSessionId ?? null,
            history: session?.history ?? [],
            costSoFar: () => sessionCostUsd(sessionId),
          }
        : null,
      signal: run.signal,
      started: run.startTimer,
      requestId: recorder.ctx.id,
    });
    // Wait for the first event, so that an upstream that fails at once answers with a real status.
    const first = await events.next();
    if (first.done === false) recorder.markFirstToken();
    const builder = new CompletionBuilder(`chatcmpl-${recorder.ctx.id}`, request.model);
    if (request.stream) {
      const body = streamCompletion({
        events,
        first,
        builder,
        recorder,
        finisher,
        abort: run.controller,
        includeUsage: request.stream_options?.include_usage === true,
      });
      return { kind: "stream", body };
    }
    const acc = new MessageAccumulator();
    let step: IteratorResult<ChatEvent, RunResult> = first;
    while (!step.done) {
      acc.add(step.value);
      step = await events.next();
    }
    await finisher.ok(step.value, acc);
    finisher.release();
    return { kind: "json", body: builder.completion(acc, step.value.finishReason, step.value.usage) };
  } catch (e) {
    const error = await finisher.fail(e);
    finisher.release();
    throw error ?? new ClientCancelled();
  }
}
