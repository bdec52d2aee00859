// An Ollama run's steps: its one model call, and each tool call the model asked for (the client runs
// it, so it has no outcome or duration here: its result comes with the client's next request).
import { parseJson } from "../json";
import { type StepLog, stepLog } from "./log";
import { summarize } from "./summary";
import type { Step } from "./types";

const blank = { parentSeq: null, callId: null, summary: null, outcome: null, resultBytes: null, durationMs: null };

export class OllamaSteps {
  /** The request's log, held from the start (a late call never makes a new one the recorder would not take). */
  private readonly log: StepLog | null;
  private readonly call: Step | null;

  constructor(requestId: string | undefined, model: string) {
    this.log = requestId ? stepLog(requestId) : null;
    this.call =
      this.log?.add({
        ...blank,
        kind: "model",
        tool: null,
        startedAt: Date.now(),
        model,
        inputTokens: null,
        outputTokens: null,
        path: null,
      }) ?? null;
  }

  toolCall(id: string, name: string, args: unknown): void {
    this.log?.add({
      ...blank,
      kind: "tool",
      tool: name,
      callId: id,
      summary: summarize(typeof args === "string" ? parseJson(args) : args),
      startedAt: Date.now(),
      model: null,
      inputTokens: null,
      outputTokens: null,
      path: null,
    });
  }

  done(model: string, inputTokens: number, outputTokens: number): void {
    if (!this.call || !this.log) return;
    this.call.durationMs = Date.now() - this.call.startedAt;
    this.call.model = model;
    this.call.inputTokens = inputTokens;
    this.call.outputTokens = outputTokens;
    this.call.outcome = "ok";
    this.log.notify(this.call, "end");
  }
}
