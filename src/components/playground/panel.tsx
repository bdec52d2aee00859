import { Figures } from "./figures";
import type { StreamResult } from "./stream";

export interface Turn {
  user: string;
  text: string;
  reasoning: string;
  result: StreamResult | null;
  costUsd?: number | null;
}

export interface PanelState {
  key: number;
  model: string;
  turns: Turn[];
  running: boolean;
}

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
        {panel.running && <span className="animate-pulse text-xs text-sky-400">streaming…</span>}
      </div>
      <div className="flex flex-1 flex-col gap-3 overflow-y-auto p-3" aria-live="polite">
        {history}
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
              <p className="text-sm whitespace-pre-wrap" data-testid="reply-text">
                {t.text}
              </p>
              {t.result?.error && (
                <p role="alert" className="mt-1 text-sm text-red-400">
                  {t.result.error}
                </p>
              )}
              {t.result && <Figures r={t.result} costUsd={t.costUsd} />}
            </div>
          </div>
        ))}
      </div>
    </section>
  );
}
