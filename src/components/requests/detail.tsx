"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useTRPC } from "@/trpc/client";
import { fmtCost, fmtInt, fmtMs, fmtTime } from "../format";
import { useCostLabel } from "../overview/plan";
import { MessageView } from "../sessions/message";
import { StepsTimeline } from "../steps/timeline";
import { CancelBackground } from "./cancel";
import { BackgroundBadge, isLive, StatusBadge } from "./list";

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <dt className="text-xs uppercase tracking-wide text-zinc-500">{label}</dt>
      <dd className="mt-0.5 font-mono text-sm wrap-anywhere">{children}</dd>
    </div>
  );
}

export function RequestDetail({ id }: { id: string }) {
  const trpc = useTRPC();
  // A request still running (or its background response) shows its steps so far, refreshed every 2 s.
  const q = useQuery(
    trpc.requests.detail.queryOptions(
      { id },
      { refetchInterval: (q) => (q.state.data && isLive(q.state.data) ? 2_000 : false) },
    ),
  );
  const costLabel = useCostLabel();
  // The list's filters travel in ?list=…, so "← Requests" goes back to the same filtered list.
  const listQuery = useSearchParams().get("list");
  const back = `/dashboard/requests${listQuery ? `?${new URLSearchParams(listQuery)}` : ""}`;
  if (q.error)
    return (
      <p role="alert" className="text-red-400">
        {q.error.message}
      </p>
    );
  const r = q.data;
  if (!r) return <p className="text-zinc-500">Loading…</p>;
  const stored = r.content?.prompt;
  // A prompt stored as a JSON array of messages is shown message by message; anything else (a clipped
  // prompt is not valid JSON, so it comes back as text) is shown as it is.
  const messages = Array.isArray(stored) ? (stored as unknown[]) : null;
  const rawPrompt = messages ? null : typeof stored === "string" ? stored : JSON.stringify(stored, null, 2);
  return (
    <article className="flex flex-col gap-6">
      <header className="flex flex-wrap items-center gap-3">
        <Link href={back} className="text-sm text-zinc-400 hover:text-zinc-100">
          ← Requests
        </Link>
        <h1 className="font-mono text-lg">{r.id}</h1>
        <StatusBadge status={r.status} http={r.httpStatus} />
        <BackgroundBadge status={r.background} />
        <CancelBackground id={r.id} status={r.background} onDone={() => q.refetch()} />
      </header>
      <dl className="grid grid-cols-2 gap-4 rounded-lg border border-zinc-800 bg-zinc-900/60 p-4 md:grid-cols-4">
        <Field label="Time">{fmtTime(r.createdAt)}</Field>
        <Field label="Endpoint">{r.endpoint ?? "–"}</Field>
        <Field label="Model">{r.model || "(none)"}</Field>
        <Field label="Provider">{r.provider || "–"}</Field>
        <Field label="Upstream model">{r.upstreamModel ?? "–"}</Field>
        <Field label="Upstream host">{r.upstreamHost ?? "–"}</Field>
        <Field label="Duration">{fmtMs(r.durationMs)}</Field>
        <Field label="First token">{fmtMs(r.ttftMs)}</Field>
        <Field label="Stream">{r.stream ? "yes" : "no"}</Field>
        <Field label="Finish">{r.finishReason ?? "–"}</Field>
        <Field label="Prompt tokens">{fmtInt(r.promptTokens)}</Field>
        <Field label="Cached tokens">{fmtInt(r.cachedTokens)}</Field>
        <Field label="Completion tokens">{fmtInt(r.completionTokens)}</Field>
        <Field label={r.provider === "claude-code" ? costLabel : "Cost"}>{fmtCost(r.costUsd)}</Field>
        <Field label="HTTP status">{r.httpStatus}</Field>
        <Field label="Session">
          {r.sessionId ? (
            <Link
              className="text-sky-400 hover:underline"
              href={`/dashboard/sessions/${encodeURIComponent(r.sessionId)}`}
            >
              {r.sessionId}
            </Link>
          ) : (
            "–"
          )}
        </Field>
        {(r.loop.previous || r.loop.next.length > 0 || r.finishReason === "tool_calls") && (
          <Field label="Tool loop">
            <span className="flex flex-col gap-0.5" data-testid="tool-loop">
              {r.loop.previous && (
                <Link className="text-sky-400 hover:underline" href={`/dashboard/requests/${r.loop.previous}`}>
                  ← previous leg{r.loop.toolWaitMs != null ? ` (client took ${fmtMs(r.loop.toolWaitMs)})` : ""}
                </Link>
              )}
              {r.finishReason === "tool_calls" && r.loop.next.length === 0 && (
                <span className="text-zinc-400">
                  {r.loop.toolWaitMs != null
                    ? `client never returned the tool results (waited ${fmtMs(r.loop.toolWaitMs)})`
                    : "waiting for the client's tool results"}
                </span>
              )}
              {r.loop.next.map((n) => (
                <Link key={n} className="text-sky-400 hover:underline" href={`/dashboard/requests/${n}`}>
                  next leg →
                </Link>
              ))}
            </span>
          </Field>
        )}
        <Field label="Client">{r.clientAddress ?? "–"}</Field>
        <Field label="User agent">{r.userAgent ?? "–"}</Field>
      </dl>
      {r.errorMessage && (
        <section aria-label="Error" className="rounded-lg border border-red-900 bg-red-950/30 p-4">
          <div className="text-xs uppercase text-red-300">
            {r.errorType} {r.errorCode ? `· ${r.errorCode}` : ""}
          </div>
          <p className="mt-1 text-sm text-red-200">{r.errorMessage}</p>
        </section>
      )}
      <StepsTimeline steps={r.steps} />
      {r.content ? (
        <section aria-label="Conversation" className="flex flex-col gap-3">
          <h2 className="text-sm font-medium text-zinc-300">Prompt</h2>
          {messages?.map((m, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: messages have no id; their order is fixed
            <MessageView key={i} message={m} />
          ))}
          {rawPrompt != null && (
            <pre
              data-testid="raw-prompt"
              className="max-h-[60vh] overflow-auto rounded-lg border border-zinc-800 bg-zinc-900/70 p-3 text-xs whitespace-pre-wrap break-words"
            >
              {rawPrompt}
            </pre>
          )}
          <h2 className="text-sm font-medium text-zinc-300">Answer</h2>
          <MessageView message={{ role: "assistant", content: r.content.answer }} />
        </section>
      ) : (
        <p className="text-sm text-zinc-500">
          The prompt and answer were not stored (STORE_CONTENT is off, or the body was invalid).
        </p>
      )}
    </article>
  );
}
