/** The chat endpoint: most requests go there, so the log does not repeat it on every row. */
export const CHAT_ENDPOINT = "/v1/chat/completions";

/**
 * What a logged request was, for the log and the overview: its model; or, for a call that named none
 * (a 401 on /v1/models, a body that was not JSON), the endpoint called instead of "(none)". A model
 * used on another endpoint (/v1/responses, /v1/embeddings) carries that endpoint as a note.
 */
export function subjectOf(model: string, endpoint: string | null | undefined): { label: string; note: string | null } {
  const path = endpoint || null;
  if (!model) return { label: path ?? "(none)", note: null };
  return { label: model, note: path && path !== CHAT_ENDPOINT ? path : null };
}
