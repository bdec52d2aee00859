import "server-only";
import type { Principal } from "../access/policy";
import { type ChatOutcome, runChat } from "../chat";
import { env } from "../env";
import { badRequest } from "../openai/errors";
import type { ResponsesRequest } from "../openai/responses-schema";
import type { ResolvedModel } from "../providers/registry";
import type { RequestRecorder } from "../usage/recorder";
import { replayStream } from "./background/replay";
import { admitBackground, startBackground } from "./background/run";
import { setRunSession } from "./background/store";
import { responseObject } from "./envelope";
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
  if (prev.status === "queued" || prev.status === "in_progress") {
    throw badRequest(
      `Response '${prev.id}' is still ${prev.status}: continue it once it has ended.`,
      "previous_response_id",
      "response_in_progress",
    );
  }
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
 * the Responses wire format; stored (with its session) unless `store: false`. With `background: true`
 * (which needs `store`) it answers at once, `queued`, and the run goes on apart from the request
 * (responses/background/): JSON, or with `stream: true` its events as they are logged.
 */
export async function createResponse(call: ResponseCall): Promise<ChatOutcome> {
  const { recorder } = call;
  // The answer names the model that runs (an alias's target), as chat completions do.
  const req = { ...call.req, model: call.model.name };
  const id = responseIdOf(recorder.ctx.id);
  const store = req.store !== false;
  const background = req.background === true;
  if (background && !store) {
    throw badRequest(
      "Background responses need store: true (they are kept to be polled, streamed again and cancelled).",
      "store",
      "invalid_background",
    );
  }
  if (background) await admitBackground(recorder.keyId);
  // A background run always streams (its log is the stream's events), whatever the client asked.
  const chat = toChatRequest(background ? { ...req, stream: true } : req);
  let sessionId = call.headerSession;
  let forkedAt: number | null = null;
  if (call.previous) ({ id: sessionId, forkedAt } = await sessionFor(call.previous, id, call.claimSession));
  else if (!sessionId && store) {
    sessionId = id;
    await call.claimSession(id);
  }
  const fork = forkedAt === null ? null : { id: sessionId as string, turns: forkedAt };
  const envelope = { id, createdAt: Math.floor(recorder.ctx.startedAt / 1000), request: req };
  const format = responsesFormat(envelope);
  const run = async (signal: AbortSignal) => {
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
        afterTurn: !store
          ? undefined
          : background
            ? (_result, _acc, turn) => setRunSession(id, sessionId, turn)
            : (result, _acc, turn) =>
                saveResponse({
                  id,
                  requestId: recorder.ctx.id,
                  keyId: recorder.keyId,
                  sessionId,
                  turn,
                  model: req.model,
                  body: JSON.stringify(format.final(result)),
                }),
        // A fork whose first turn failed is removed again (nothing refers to it).
        afterFailure: fork ? () => dropFork(fork.id, fork.turns) : undefined,
      });
    } catch (e) {
      // (also when the run never started: an unknown model, say)
      if (fork) await dropFork(fork.id, fork.turns).catch(() => {});
      throw e;
    }
  };
  if (!background) return run(call.signal);
  const initial = responseObject(envelope, { status: "queued", output: [] });
  await startBackground({
    id,
    keyId: recorder.keyId,
    requestId: recorder.ctx.id,
    model: req.model,
    initial,
    format,
    start: run,
  });
  if (req.stream) return { kind: "stream", body: replayStream(id, -1, env().STREAM_PING_MS) };
  return { kind: "json", body: initial };
}

/** A stored response's Response object (the front door loaded it, owned by the caller). */
export const responseBody = (row: StoredResponseRow): unknown => JSON.parse(row.body);
