"use client";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useSearchParams } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { useTRPC } from "@/trpc/client";
import { MessageView } from "../sessions/message";
import { ChatPanel, type PanelState, type Turn } from "./panel";
import { type ChatMessageIn, streamChat } from "./stream";

const newSessionId = () => `pg-${crypto.randomUUID().slice(0, 8)}`;

export function Playground() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const params = useSearchParams();
  const modelList = useQuery(trpc.models.list.queryOptions());
  const models = modelList.data?.models.map((m) => m.id) ?? [];
  const ollama = modelList.data?.ollama;
  const resumed = params.get("session");
  const [system, setSystem] = useState("");
  const [prompt, setPrompt] = useState("");
  const [useSession, setUseSession] = useState(Boolean(resumed));
  const [sessionId, setSessionId] = useState(resumed ?? newSessionId());
  const [panels, setPanels] = useState<PanelState[]>([
    { key: 0, model: params.get("model") ?? "claude-code", turns: [], running: false },
  ]);
  const controllers = useRef(new Map<number, AbortController>());
  const transcript = useQuery({
    ...trpc.sessions.transcript.queryOptions({ id: sessionId }),
    enabled: Boolean(resumed) && useSession,
  });
  // A continued session keeps its system prompt (the one it last ran with), unless one was typed already.
  const systemSeeded = useRef(false);
  useEffect(() => {
    if (systemSeeded.current || !transcript.data) return;
    systemSeeded.current = true;
    const stored = transcript.data.session.systemPrompt;
    if (stored) setSystem((typed) => typed || stored);
  }, [transcript.data]);
  const compare = panels.length > 1;
  const running = panels.some((p) => p.running);

  const update = (key: number, fn: (p: PanelState) => PanelState) =>
    setPanels((all) => all.map((p) => (p.key === key ? fn(p) : p)));
  const updateTurn = (key: number, index: number, fn: (t: Turn) => Turn) =>
    update(key, (p) => ({ ...p, turns: p.turns.map((t, i) => (i === index ? fn(t) : t)) }));

  async function runPanel(panel: PanelState, text: string) {
    const index = panel.turns.length;
    const history: ChatMessageIn[] =
      useSession && !compare
        ? []
        : panel.turns.flatMap((t) => [
            { role: "user" as const, content: t.user },
            { role: "assistant" as const, content: t.text },
          ]);
    const messages: ChatMessageIn[] = [
      ...(system ? [{ role: "system" as const, content: system }] : []),
      ...history,
      { role: "user", content: text },
    ];
    const controller = new AbortController();
    controllers.current.set(panel.key, controller);
    update(panel.key, (p) => ({
      ...p,
      running: true,
      turns: [...p.turns, { user: text, text: "", reasoning: "", result: null }],
    }));
    const result = await streamChat(
      { model: panel.model, messages },
      {
        sessionId: useSession && !compare ? sessionId : undefined,
        signal: controller.signal,
        onText: (t, reasoning) => updateTurn(panel.key, index, (turn) => ({ ...turn, text: t, reasoning })),
      },
    );
    update(panel.key, (p) => ({ ...p, running: false }));
    updateTurn(panel.key, index, (turn) => ({ ...turn, text: result.text, reasoning: result.reasoning, result }));
    if (result.requestId) {
      const detail = await queryClient
        .fetchQuery(trpc.requests.detail.queryOptions({ id: result.requestId }))
        .catch(() => null);
      updateTurn(panel.key, index, (turn) => ({
        ...turn,
        costUsd: detail?.costUsd ?? null,
        provider: detail?.provider ?? null,
      }));
    }
  }

  function send() {
    const text = prompt.trim();
    if (!text || running) return;
    setPrompt("");
    for (const p of panels) void runPanel(p, text);
  }

  const stop = () => {
    for (const c of controllers.current.values()) c.abort();
  };

  const setCompare = (on: boolean) => {
    if (running) return;
    setPanels((all) => {
      if (!on) return all.slice(0, 1);
      const first = all[0]?.model ?? "claude-code";
      const other = models.find((m) => m !== first) ?? first;
      return [
        all[0] ?? { key: 0, model: first, turns: [], running: false },
        { key: Date.now(), model: other, turns: [], running: false },
      ];
    });
  };

  const addPanel = () =>
    setPanels((all) =>
      all.length >= 3
        ? all
        : [
            ...all,
            {
              key: Date.now(),
              model: models.find((m) => !all.some((p) => p.model === m)) ?? all[0]?.model ?? "claude-code",
              turns: [],
              running: false,
            },
          ],
    );

  const reset = () => {
    setPanels((all) => all.map((p) => ({ ...p, turns: [] })));
    setSessionId(newSessionId());
  };

  const prior =
    transcript.data && !compare
      ? transcript.data.turns.flatMap((t) =>
          t.messages.map((m, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a stored turn's messages keep their order
            <MessageView key={`${t.turn}-${i}`} message={m.content} />
          )),
        )
      : null;

  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="mr-auto text-xl font-semibold">Playground</h1>
        <label className="flex items-center gap-2 text-sm text-zinc-300">
          <input
            type="checkbox"
            checked={compare}
            onChange={(e) => setCompare(e.target.checked)}
            disabled={running}
            className="accent-sky-500"
          />
          Compare models
        </label>
        {compare && panels.length < 3 && (
          <button
            type="button"
            onClick={addPanel}
            disabled={running}
            className="rounded border border-zinc-700 px-2 py-1 text-sm hover:bg-zinc-900"
          >
            Add a third model
          </button>
        )}
        {!compare && (
          <label className="flex items-center gap-2 text-sm text-zinc-300">
            <input
              type="checkbox"
              checked={useSession}
              onChange={(e) => setUseSession(e.target.checked)}
              disabled={running}
              className="accent-sky-500"
            />
            Session <span className="font-mono text-xs text-zinc-500">{useSession ? sessionId : ""}</span>
          </label>
        )}
        <button
          type="button"
          onClick={reset}
          disabled={running}
          className="rounded border border-zinc-700 px-2 py-1 text-sm hover:bg-zinc-900"
        >
          New conversation
        </button>
      </div>
      {ollama && !ollama.reachable && (
        <p
          role="status"
          data-testid="ollama-down"
          className="rounded border border-amber-900 bg-amber-950/30 px-3 py-2 text-sm text-amber-300"
        >
          Ollama is not answering at <span className="font-mono">{ollama.url}</span>: its models are not listed. Start
          it (or check OLLAMA_URL) and reload.
        </p>
      )}
      {modelList.error && (
        <p role="alert" className="text-sm text-red-400">
          Could not load the models: {modelList.error.message}
        </p>
      )}
      <label className="flex flex-col gap-1 text-xs text-zinc-400">
        System prompt
        <textarea
          value={system}
          onChange={(e) => setSystem(e.target.value)}
          rows={2}
          placeholder="Optional instructions for every model"
          className="rounded border border-zinc-700 bg-zinc-900 px-3 py-2 text-sm text-zinc-100"
        />
      </label>
      <div className={`flex flex-col gap-3 ${compare ? "lg:flex-row" : ""}`}>
        {panels.map((p, i) => (
          <ChatPanel
            key={p.key}
            panel={p}
            models={models}
            onModel={(m) => update(p.key, (x) => ({ ...x, model: m }))}
            history={i === 0 ? prior : undefined}
          />
        ))}
      </div>
      <form
        className="flex items-end gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          send();
        }}
      >
        <label className="sr-only" htmlFor="prompt">
          Message
        </label>
        <textarea
          id="prompt"
          value={prompt}
          onChange={(e) => setPrompt(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && !e.shiftKey) {
              e.preventDefault();
              send();
            }
          }}
          rows={2}
          placeholder="Ask something… (Enter to send, Shift+Enter for a new line)"
          className="flex-1 rounded border border-zinc-700 bg-zinc-900 px-3 py-2 text-sm"
        />
        {running ? (
          <button
            type="button"
            onClick={stop}
            className="rounded bg-red-600 px-4 py-2 text-sm font-medium hover:bg-red-500"
          >
            Stop
          </button>
        ) : (
          <button
            type="submit"
            disabled={!prompt.trim()}
            className="rounded bg-sky-600 px-4 py-2 text-sm font-medium hover:bg-sky-500 disabled:opacity-50"
          >
            Send
          </button>
        )}
      </form>
    </div>
  );
}
