import { ApiError } from "../openai/errors";

/** A stored response that does not exist, or that belongs to another key (its existence is not disclosed). */
export const responseNotFound = (id: string, param: string | null = null) =>
  new ApiError(404, `Response with id '${id.slice(0, 100)}' not found.`, { code: "response_not_found", param });
