"use client";
import { useEffect, useRef } from "react";
import { Markdown } from "../markdown/markdown";
import { useCostLabel } from "../overview/plan";
import { Figures } from "./figures";
import type { StreamResult } from "./stream";

export interface Turn {
  user: string;
  text: string;
  reasoning: string;
  result: StreamResult | null;
  costUsd?: number | null;
  /** The provider that answered (from the turn's record). */
  provider?: string | null;
}

export interface PanelState {
  key: number;
  model: string;
  turns: Turn[];
  running: boolean;
}

/** How close to the bottom (px) still counts as "following" the stream. */
const FOLLOW_SLACK = 48;

export function ChatPanel({
  panel,
  models,
  onModel,
  history,
}: {
  panel: PanelState;
  models: string[];
  onModel: (m: string) => void;
  history?: React.ReactNode;
}) {
  const selectId = `model-${panel.key}`;
  const claudeCost = useCostLabel();
  const scroller = useRef<HTMLDivElement>(null);
  const follow = useRef(true);
  const last = panel.turns.at(-1);
  const status = panel.running
    ? "streaming…"
    : last?.result?.cancelled
      ? "stopped"
      : last?.result?.error
        ? "failed"
        : last?.result
          ? "done"
          : "";

  // Keep the newest text in view while it streams, unless the user scrolled up to read.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on every new piece of text on purpose
  useEffect(() => {
    const el = scroller.current;
    if (el && follow.current) el.scrollTop = el.scrollHeight;
  }, [last?.text, last?.reasoning, panel.turns.length, history]);

  return (
    <section
      className="flex min-h-64 min-w-0 flex-1 flex-col rounded-lg border border-zinc-800 bg-zinc-900/40"
      aria-label={`Conversation with ${panel.model}`}
      data-testid="panel"
    >
      <div className="flex items-center gap-2 border-b border-zinc-800 px-3 py-2">
        <label htmlFor={selectId} className="text-xs text-zinc-400">
          Model
        </label>
        <select
          id={selectId}
          value={panel.model}
          onChange={(e) => onModel(e.target.value)}
          disabled={panel.running}
          className="min-w-0 flex-1 rounded border border-zinc-700 bg-zinc-900 px-2 py-1 font-mono text-sm"
        >
          {[...new Set([panel.model, ...models])].map((m) => (
            <option key={m} value={m}>
              {m}
            </option>
          ))}
        </select>
        {/* Only the status is announced, not every token of the reply. */}
        <span
          role="status"
          aria-live="polite"
          data-testid="panel-status"
          className={`text-xs ${panel.running ? "animate-pulse text-sky-400" : "text-zinc-500"}`}
        >
          {status}
        </span>
      </div>
      <div
        ref={scroller}
        data-testid="messages"
        onScroll={(e) => {
          const el = e.currentTarget;
          follow.current = el.scrollHeight - el.scrollTop - el.clientHeight <= FOLLOW_SLACK;
        }}
        className="flex max-h-[60vh] flex-1 flex-col gap-3 overflow-y-auto p-3"
      >
        {history}
        {panel.turns.length === 0 && !history && (
          <p className="m-auto max-w-xs py-8 text-center text-sm text-zinc-500" data-testid="empty-hint">
            Pick a model and type a message below. Replies stream here with their timings, tokens and cost.
          </p>
        )}
        {panel.turns.map((t, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: turns are appended, never reordered
          <div key={i} className="flex flex-col gap-2">
            <div className="self-end rounded-lg bg-sky-950/60 px-3 py-2 text-sm whitespace-pre-wrap">{t.user}</div>
            <div className="rounded-lg bg-zinc-900 px-3 py-2" data-testid="reply">
              {t.reasoning && (
                <details className="mb-1 text-xs text-zinc-400">
                  <summary className="cursor-pointer">Reasoning</summary>
                  <p className="whitespace-pre-wrap">{t.reasoning}</p>
                </details>
              )}
              <div data-testid="reply-text">
                <Markdown text={t.text} />
              </div>
              {t.result?.error && (
                <p role="alert" className="mt-1 text-sm text-red-400">
                  {t.result.error}
                </p>
              )}
              {t.result && (
                <Figures
                  r={t.result}
                  costUsd={t.costUsd}
                  costLabel={t.provider === "claude-code" && claudeCost !== "Cost" ? claudeCost : "cost"}
                />
              )}
            </div>
          </div>
        ))}
      </div>
    </section>
  );
}
