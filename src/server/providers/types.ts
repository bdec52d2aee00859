import type { AgentGrant } from "../access/agent";
import type { ChatMessage, ChatRequest } from "../openai/schemas";
import type { Step } from "../steps/types";

export type ProviderId = "ollama" | "claude-code";

export type FinishReason = "stop" | "length" | "tool_calls" | "content_filter";

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
}

/** What a provider yields while it runs, in order. */
export type ChatEvent =
  | { type: "text"; text: string }
  | { type: "reasoning"; text: string }
  | { type: "tool_call"; index: number; id: string; name: string; arguments: string }
  /** A tool call the upstream ran and saw end (steps/feed.ts; put in by the chat service, never by a provider). */
  | { type: "step"; step: Step };

/** What a provider returns when its run ended well. */
export interface RunResult {
  finishReason: FinishReason;
  usage: TokenUsage;
  costUsd: number | null;
  upstreamModel: string;
  /** The upstream's own conversation id (Claude Code's session id), when it has one. */
  upstreamSessionId?: string;
  /** This request continues that one (the previous HTTP leg of a tool-call loop). */
  parentRequestId?: string;
  /** How long the client took to come back with the tool results (ms). */
  toolWaitMs?: number;
  /** The upstream host that served the run (an Ollama host's name, without credentials). */
  upstreamHost?: string;
}

export interface ProviderSession {
  /** The client's X-Session-ID. */
  id: string;
  /** The upstream session to resume, when the session has had a successful turn. */
  upstreamSessionId: string | null;
  /** The stored conversation (no system messages), for a provider that must rebuild its own. */
  history: ChatMessage[];
  /** The turns the session has had (a process that served fewer is behind: another instance served the rest). */
  turns?: number;
  /**
   * The cost recorded for the session so far: Claude reports a running total that carries across
   * `--resume`, so a resumed turn's own cost is its total less this.
   */
  costSoFar?: () => Promise<number>;
}

export interface RunInput {
  /** The model as the client named it (`ollama/qwen3:8b`). */
  model: string;
  /** The model name the upstream knows (`qwen3:8b`). */
  upstreamModel: string;
  /** The whole conversation to send: stored history first, then the client's new messages. */
  messages: ChatMessage[];
  request: ChatRequest;
  session: ProviderSession | null;
  signal: AbortSignal;
  /** The provider calls this when its upstream run begins (after any queue); the run's timeout counts from here. */
  started: () => void;
  /** The id of this request's record (a tool loop's next leg links to it). */
  requestId?: string;
  /** The caller's API key id (null: the admin, the console, or an open gateway's caller): a provider reuses its processes only within one caller. */
  keyId?: string | null;
  /** What the caller's agent tasks may do, and where (access/agent.ts); the admin's when absent. */
  agent?: AgentGrant;
}

/** A backend: data plus small mapping functions. Errors are thrown as ApiError. */
export interface Provider {
  id: ProviderId;
  /** Whether stored history is replayed to this provider (Ollama) or kept upstream (Claude Code). */
  replaysHistory: boolean;
  run(input: RunInput): AsyncGenerator<ChatEvent, RunResult>;
}
