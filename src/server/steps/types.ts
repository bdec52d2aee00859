/** One step of a request's run: a model call or a tool call (Claude Code's own tools, a client's, a sub-agent's). */
export interface Step {
  /** 1, 2, 3… in the order the steps began. */
  seq: number;
  /** The tool call (a Task/Agent call) whose sub-agent made this step; null at the top level. */
  parentSeq: number | null;
  kind: "model" | "tool";
  /** The tool's name as the model called it (`Bash`, `mcp__client__get_weather`); null for a model call. */
  tool: string | null;
  /** The tool call's id (`toolu_…`); null for a model call. */
  callId: string | null;
  /** A short summary of the tool's input (the command, the file path, the pattern), cut to SUMMARY_LIMIT. */
  summary: string | null;
  /** ok | error for a tool call once its result came; null while it runs (or its result went to the client). */
  outcome: "ok" | "error" | null;
  /** Size of the tool's result in bytes (UTF-8), once it came. */
  resultBytes: number | null;
  /** Unix ms. */
  startedAt: number;
  /** null while the step runs. */
  durationMs: number | null;
  /** The model that answered (model calls). */
  model: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  /** The file a Write/Edit/MultiEdit/NotebookEdit call changed. */
  path: string | null;
  /**
   * The tool call in full (its input as JSON, its result's text), read from the session's stored Claude
   * Code transcript (sessions/transcripts.ts) for the console's request page, where its content is kept.
   */
  full?: { input: string; result: string | null };
}

/** Longest input summary kept, in characters. */
export const SUMMARY_LIMIT = 300;
/** Most steps kept for one request; later ones are counted, not kept (500 tool calls and their model calls fit). */
export const MAX_STEPS = 2_000;
