/** Chat completions on the wire: `chat.completion` JSON, or `chat.completion.chunk` SSE ending with [DONE]. */
import { CompletionBuilder } from "../openai/completion";
import type { ChatRequest } from "../openai/schemas";
import type { WireFormat } from "./format";

export function completionsFormat(id: string, request: ChatRequest): WireFormat {
  const builder = new CompletionBuilder(`chatcmpl-${id}`, request.model);
  const includeUsage = request.stream_options?.include_usage === true;
  return {
    open: () => [{ data: builder.roleChunk() }],
    add: (e) => (e.type === "step" ? [] : [{ data: builder.eventChunk(e) }]),
    end: (result) => [
      { data: builder.finishChunk(result.finishReason) },
      ...(includeUsage ? [{ data: builder.usageChunk(result.usage) }] : []),
      "[DONE]",
    ],
    fail: (error) => [{ data: error.toBody() }],
    // A comment line while the upstream is silent (STREAM_PING_MS): proxies see traffic, parsers skip it.
    ping: () => [": ping"],
    body: (result, acc) => builder.completion(acc, result.finishReason, result.usage),
  };
}
