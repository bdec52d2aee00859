/** Streams one chat completion from the playground endpoint, reporting deltas and timings. */
export interface ChatMessageIn {
  role: "system" | "user" | "assistant";
  content: string;
}

export interface StreamResult {
  requestId: string | null;
  text: string;
  reasoning: string;
  ttftMs: number | null;
  durationMs: number;
  promptTokens: number | null;
  completionTokens: number | null;
  finishReason: string | null;
  error: string | null;
  cancelled: boolean;
}

export async function streamChat(
  body: { model: string; messages: ChatMessageIn[] },
  opts: { sessionId?: string; signal: AbortSignal; onText: (text: string, reasoning: string) => void },
): Promise<StreamResult> {
  const t0 = performance.now();
  const r: StreamResult = {
    requestId: null,
    text: "",
    reasoning: "",
    ttftMs: null,
    durationMs: 0,
    promptTokens: null,
    completionTokens: null,
    finishReason: null,
    error: null,
    cancelled: false,
  };
  try {
    const res = await fetch("/api/playground/chat", {
      method: "POST",
      headers: { "content-type": "application/json", ...(opts.sessionId ? { "x-session-id": opts.sessionId } : {}) },
      body: JSON.stringify({ ...body, stream: true, stream_options: { include_usage: true } }),
      signal: opts.signal,
    });
    r.requestId = res.headers.get("x-request-id");
    if (!res.ok || !res.body) {
      const err = await res.json().catch(() => null);
      r.error = err?.error?.message ?? `HTTP ${res.status}`;
      return r;
    }
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += value;
      const events = buffer.split("\n\n");
      buffer = events.pop() ?? "";
      for (const ev of events) {
        const data = ev.startsWith("data: ") ? ev.slice(6) : null;
        if (!data || data === "[DONE]") continue;
        const chunk = JSON.parse(data);
        if (chunk.error) {
          r.error = chunk.error.message;
          continue;
        }
        if (chunk.usage) {
          r.promptTokens = chunk.usage.prompt_tokens;
          r.completionTokens = chunk.usage.completion_tokens;
        }
        const choice = chunk.choices?.[0];
        if (!choice) continue;
        if (choice.finish_reason) r.finishReason = choice.finish_reason;
        const d = choice.delta ?? {};
        if (d.content || d.reasoning_content) {
          r.ttftMs ??= performance.now() - t0;
          r.text += d.content ?? "";
          r.reasoning += d.reasoning_content ?? "";
          opts.onText(r.text, r.reasoning);
        }
      }
    }
  } catch (e) {
    if (opts.signal.aborted) r.cancelled = true;
    else r.error = String((e as Error).message ?? e);
  } finally {
    r.durationMs = performance.now() - t0;
  }
  return r;
}
