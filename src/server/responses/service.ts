import "server-only";
import { type ChatOutcome, runChat } from "../chat";
import { ApiError } from "../openai/errors";
import { parseResponsesRequest } from "../openai/responses-schema";
import type { RequestRecorder } from "../usage/recorder";
import { responsesFormat } from "./format";
import { toChatRequest } from "./map";
import { dropFork, forkSession, loadResponse, saveResponse, sessionTurns } from "./store";

/** The response id of a request: `resp_` and the record's own id, so one leads to the other. */
export const responseIdOf = (requestId: string) => `resp_${requestId.replace(/^req_/, "")}`;

export const responseNotFound = (id: string, param: string | null = null) =>
  new ApiError(404, `Response with id '${id.slice(0, 100)}' not found.`, { code: "response_not_found", param });

/**
 * The session a new response runs on. A stored response keeps its conversation in a session (named
 * after the chain's first response): continuing the latest response of a chain continues that session
 * (Claude Code resumes, Ollama replays); continuing an earlier one forks a new session from that turn.
 */
async function sessionFor(previousId: string, newId: string): Promise<{ id: string; forkedAt: number | null }> {
  const prev = await loadResponse(previousId);
  if (!prev?.sessionId) throw responseNotFound(previousId, "previous_response_id");
  if ((await sessionTurns(prev.sessionId)) === prev.turn) return { id: prev.sessionId, forkedAt: null };
  await forkSession(prev.sessionId, newId, prev.turn);
  return { id: newId, forkedAt: prev.turn };
}

/**
 * POST /v1/responses: the request mapped onto a chat request and run by the one chat service, with
 * the Responses wire format; stored (with its session) unless `store: false`.
 */
export async function createResponse(
  body: unknown,
  recorder: RequestRecorder,
  signal: AbortSignal,
  headerSession: string | null,
): Promise<ChatOutcome> {
  const req = parseResponsesRequest(body);
  recorder.model = req.model;
  recorder.stream = req.stream === true;
  const id = responseIdOf(recorder.ctx.id);
  const chat = toChatRequest(req);
  const store = req.store !== false;
  let sessionId = headerSession;
  let forkedAt: number | null = null;
  if (req.previous_response_id) ({ id: sessionId, forkedAt } = await sessionFor(req.previous_response_id, id));
  else if (!sessionId && store) sessionId = id;
  const fork = forkedAt === null ? null : { id: sessionId as string, turns: forkedAt };
  const format = responsesFormat({ id, createdAt: Math.floor(recorder.ctx.startedAt / 1000), request: req });
  try {
    return await runChat({
      request: chat,
      sessionId,
      recorder,
      signal,
      format,
      sessionParam: req.previous_response_id ? "previous_response_id" : "X-Session-ID",
      afterTurn: store
        ? (result, _acc, turn) =>
            saveResponse({
              id,
              requestId: recorder.ctx.id,
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

export async function getResponse(id: string): Promise<unknown> {
  const r = await loadResponse(id);
  if (!r) throw responseNotFound(id);
  return JSON.parse(r.body);
}
