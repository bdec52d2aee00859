import "server-only";
import type { Principal } from "../access/policy";
import { type ChatOutcome, runChat } from "../chat";
import type { ResponsesRequest } from "../openai/responses-schema";
import type { ResolvedModel } from "../providers/registry";
import type { RequestRecorder } from "../usage/recorder";
import { responseNotFound } from "./errors";
import { responsesFormat } from "./format";
import { toChatRequest } from "./map";
import { dropFork, forkSession, type StoredResponseRow, saveResponse, sessionTurns } from "./store";

/** The response id of a request: `resp_` and the record's own id, so one leads to the other. */
export const responseIdOf = (requestId: string) => `resp_${requestId.replace(/^req_/, "")}`;

/**
 * The session a new response runs on. A stored response keeps its conversation in a session (named
 * after the chain's first response): continuing the latest response of a chain continues that session
 * (Claude Code resumes, Ollama replays); continuing an earlier one forks a new session from that turn.
 */
async function sessionFor(
  prev: StoredResponseRow,
  newId: string,
  claim: ResponseCall["claimSession"],
): Promise<{ id: string; forkedAt: number | null }> {
  if (!prev.sessionId) throw responseNotFound(prev.id, "previous_response_id");
  if ((await sessionTurns(prev.sessionId)) === prev.turn) {
    await claim(prev.sessionId, "previous_response_id");
    return { id: prev.sessionId, forkedAt: null };
  }
  await claim(newId, "previous_response_id");
  await forkSession(prev.sessionId, newId, prev.turn);
  return { id: newId, forkedAt: prev.turn };
}

/** What the front door (http/front-door.ts) let in, as the Responses service needs it. */
export interface ResponseCall {
  req: ResponsesRequest;
  model: ResolvedModel;
  recorder: RequestRecorder;
  principal: Principal;
  signal: AbortSignal;
  /** X-Session-ID, already claimed for the caller. */
  headerSession: string | null;
  /** The response `previous_response_id` names, owned by the caller. */
  previous: StoredResponseRow | null;
  /** Claims a session id the chain derives for the caller (403 when another key owns it). */
  claimSession(id: string, param?: string): Promise<void>;
}

/**
 * POST /v1/responses: the request mapped onto a chat request and run by the one chat service, with
 * the Responses wire format; stored (with its session) unless `store: false`.
 */
export async function createResponse(call: ResponseCall): Promise<ChatOutcome> {
  const { recorder, signal } = call;
  // The answer names the model that runs (an alias's target), as chat completions do.
  const req = { ...call.req, model: call.model.name };
  const id = responseIdOf(recorder.ctx.id);
  const chat = toChatRequest(req);
  const store = req.store !== false;
  let sessionId = call.headerSession;
  let forkedAt: number | null = null;
  if (call.previous) ({ id: sessionId, forkedAt } = await sessionFor(call.previous, id, call.claimSession));
  else if (!sessionId && store) {
    sessionId = id;
    await call.claimSession(id);
  }
  const fork = forkedAt === null ? null : { id: sessionId as string, turns: forkedAt };
  const format = responsesFormat({ id, createdAt: Math.floor(recorder.ctx.startedAt / 1000), request: req });
  try {
    return await runChat({
      request: chat,
      model: call.model,
      sessionId,
      recorder,
      principal: call.principal,
      signal,
      format,
      stepsAsItems: true,
      sessionParam: req.previous_response_id ? "previous_response_id" : "X-Session-ID",
      afterTurn: store
        ? (result, _acc, turn) =>
            saveResponse({
              id,
              requestId: recorder.ctx.id,
              keyId: recorder.keyId,
              sessionId,
              turn,
              model: req.model,
              body: JSON.stringify(format.final(result)),
            })
        : undefined,
      // A fork whose first turn failed is removed again (nothing refers to it).
      afterFailure: fork ? () => dropFork(fork.id, fork.turns) : undefined,
    });
  } catch (e) {
    // (also when the run never started: an unknown model, say)
    if (fork) await dropFork(fork.id, fork.turns).catch(() => {});
    throw e;
  }
}

/** A stored response's Response object (the front door loaded it, owned by the caller). */
export const responseBody = (row: StoredResponseRow): unknown => JSON.parse(row.body);
