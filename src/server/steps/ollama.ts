// An Ollama run's steps: its one model call, and each tool call the model asked for (the client runs
// it, so it has no outcome or duration here: its result comes with the client's next request).
import { stepLog } from "./log";
import { summarize } from "./summary";
import type { Step } from "./types";

const blank = { parentSeq: null, callId: null, summary: null, outcome: null, resultBytes: null, durationMs: null };

export class OllamaSteps {
  private readonly call: Step | null;
  constructor(
    private readonly requestId: string | undefined,
    model: string,
  ) {
    const at = Date.now();
    this.call = requestId
      ? stepLog(requestId).add({
          ...blank,
          kind: "model",
          tool: null,
          startedAt: at,
          model,
          inputTokens: null,
          outputTokens: null,
          path: null,
        })
      : null;
  }

  toolCall(id: string, name: string, args: unknown): void {
    if (!this.requestId) return;
    stepLog(this.requestId).add({
      ...blank,
      kind: "tool",
      tool: name,
      callId: id,
      summary: summarize(typeof args === "string" ? safeParse(args) : args),
      startedAt: Date.now(),
      model: null,
      inputTokens: null,
      outputTokens: null,
      path: null,
    });
  }

  done(model: string, inputTokens: number, outputTokens: number): void {
    if (!this.call || !this.requestId) return;
    this.call.durationMs = Date.now() - this.call.startedAt;
    this.call.model = model;
    this.call.inputTokens = inputTokens;
    this.call.outputTokens = outputTokens;
    this.call.outcome = "ok";
    stepLog(this.requestId).notify(this.call, "end");
  }
}

function safeParse(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}
