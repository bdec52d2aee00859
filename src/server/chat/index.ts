import "server-only";
import { agentGrant } from "../access/agent";
import type { Principal } from "../access/policy";
import { env } from "../env";
import { MessageAccumulator } from "../openai/completion";
import { type ApiError, badRequest, toApiError } from "../openai/errors";
import type { ChatMessage, ChatRequest } from "../openai/schemas";
import { type ResolvedModel, timeoutError } from "../providers/registry";
import type { ChatEvent, RunResult } from "../providers/types";
import { acquireSessionLock } from "../sessions/lock";
import { commitTurn, loadSession, type StoredSession, sessionCostUsd } from "../sessions/store";
import { StepFeed, stepsMode, withSteps } from "../steps/feed";
import type { RequestRecorder } from "../usage/recorder";
import { ClientCancelled, runSignal } from "./cancel";
import { completionsFormat } from "./completions-format";
import type { WireFormat } from "./format";
import { type MessagePlan, planMessages, titleOf } from "./messages";
import { streamAnswer } from "./stream";

export interface ChatCall {
  request: ChatRequest;
  /** The model as the front door resolved it (http/front-door.ts): the run uses its target and route. */
  model: ResolvedModel;
  /** The client's X-Session-ID, if any. */
  sessionId: string | null;
  recorder: RequestRecorder;
  /** Who is calling: what its agent tasks may do and where (access/agent.ts). */
  principal: Principal;
  /** Aborts when the client goes away. */
  signal: AbortSignal;
  /** How the session is named to the client in errors (the Responses API uses previous_response_id). */
  sessionParam?: string;
  /** The wire format of the answer; chat completions unless given. */
  format?: WireFormat;
  /**
   * Runs after a successful turn was stored in its session and before the record is written
   * (the Responses API stores its response here); `turn` is the session's turn number of this run.
   */
  afterTurn?: (result: RunResult, acc: MessageAccumulator, turn: number) => Promise<void>;
  /** The run's steps go to the client as items of the wire format (the Responses API's mcp_call). */
  stepsAsItems?: boolean;
  /** Runs when the run failed or was cancelled, before the record is written (best effort). */
  afterFailure?: () => Promise<void>;
}

export type ChatOutcome = { kind: "json"; body: unknown } | { kind: "stream"; body: ReadableStream<Uint8Array> };

/** The finish of a run: store the turn (sessions) and write the record. */
export interface Finisher {
  ok(result: RunResult, acc: MessageAccumulator): Promise<void>;
  fail(e: unknown, partial?: Partial<RunResult>): Promise<ApiError | null>;
  release(): void;
}

/**
 * The one chat service used by /v1/chat/completions, /v1/responses and the playground: routes the
 * model, serializes the session, runs the provider and answers as JSON or as a stream in the call's
 * wire format; writes exactly one record.
 */
export async function runChat(call: ChatCall): Promise<ChatOutcome> {
  const { recorder, sessionId } = call;
  // The upstream, the session and the answer always get the model that runs (an alias's target).
  const request: ChatRequest = { ...call.request, model: call.model.name };
  const route = call.model.route;
  recorder.stream = request.stream === true;
  recorder.sessionId = sessionId;
  recorder.prompt = JSON.stringify(request.messages);
  recorder.provider = route.provider.id;
  recorder.upstreamModel = route.upstreamModel;

  const format = call.format ?? completionsFormat(recorder.ctx.id, request);
  const run = runSignal(call.signal, route.timeoutMs, () => timeoutError(route));
  let release = () => {};
  // Known once the session is loaded, before the run starts; the finisher only runs after that.
  let plan: MessagePlan | null = null;
  let session: StoredSession | null = null;
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
      if (sessionId && plan) {
        await commitTurn({
          sessionId,
          provider: route.provider.id,
          model: request.model,
          upstreamSessionId: result.upstreamSessionId ?? null,
          systemPrompt: plan.systemPrompt,
          messages: [...plan.fresh, message as ChatMessage],
          requestId: recorder.ctx.id,
          keyId: recorder.keyId,
          usage: result.usage,
          title: titleOf(plan.fresh) || titleOf(session?.history ?? []),
        });
      }
      await call.afterTurn?.(result, acc, (session?.turnCount ?? 0) + 1);
      await recorder.finish({ status: "ok", result });
    },
    async fail(e, partial) {
      const reason = run.signal.aborted ? run.signal.reason : e;
      await call.afterFailure?.().catch(() => {});
      if (reason instanceof ClientCancelled) {
        await recorder.finish({ status: "cancelled", reason: reason.message, result: partial });
        return null;
      }
      const error = toApiError(reason);
      await recorder.finish({ status: "error", error, result: partial });
      return error;
    },
  };

  try {
    if (sessionId) release = await acquireSessionLock(sessionId, env().SESSION_WAIT_MS, run.signal);
    session = sessionId ? await loadSession(sessionId) : null;
    if (session && session.provider !== route.provider.id) {
      throw badRequest(
        `Session "${sessionId}" belongs to provider ${session.provider}; it cannot continue with ${request.model}.`,
        call.sessionParam ?? "X-Session-ID",
        "session_provider_mismatch",
      );
    }
    plan = planMessages(request.messages, session, route.provider.replaysHistory, sessionId !== null);
    const provided = route.provider.run({
      model: request.model,
      upstreamModel: route.upstreamModel,
      messages: plan.send,
      request,
      session: sessionId
        ? {
            id: sessionId,
            upstreamSessionId: session?.upstreamSessionId ?? null,
            history: session?.history ?? [],
            turns: session?.turnCount ?? 0,
            costSoFar: () => sessionCostUsd(sessionId),
          }
        : null,
      signal: run.signal,
      started: run.startTimer,
      requestId: recorder.ctx.id,
      keyId: recorder.keyId,
      // Only Claude Code runs tasks (tools on this machine); a key's grant reads the chosen workspaces.
      agent: route.provider.id === "claude-code" ? await agentGrant(call.principal) : undefined,
    });
    // The run's steps to the client as they end, when the wire format has a place for them or the client asked.
    const mode = stepsMode(recorder.ctx.agentSteps, call.stepsAsItems === true);
    const events = mode === "off" ? provided : withSteps(provided, new StepFeed(recorder.ctx.id), mode);
    // Wait for the first event, so that an upstream that fails at once answers with a real status.
    const first = await events.next();
    if (first.done === false) recorder.markFirstToken();
    if (request.stream) {
      const body = streamAnswer({
        events,
        first,
        format,
        finisher,
        abort: run.controller,
        pingMs: env().STREAM_PING_MS,
      });
      return { kind: "stream", body };
    }
    const acc = new MessageAccumulator();
    let step: IteratorResult<ChatEvent, RunResult> = first;
    while (!step.done) {
      acc.add(step.value);
      format.add(step.value);
      step = await events.next();
    }
    await finisher.ok(step.value, acc);
    finisher.release();
    return { kind: "json", body: format.body(step.value, acc) };
  } catch (e) {
    const error = await finisher.fail(e);
    finisher.release();
    throw error ?? new ClientCancelled();
  }
}
