"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "@/trpc/client";
import { fmtInt, fmtTime } from "../format";
import { KeyName } from "../keys/key-select";
import { StepsTimeline } from "../steps/timeline";
import { MessageView } from "./message";

export function Transcript({ id }: { id: string }) {
  const trpc = useTRPC();
  const q = useQuery(trpc.sessions.transcript.queryOptions({ id }));
  if (q.error)
    return (
      <p role="alert" className="text-red-400">
        {q.error.message}
      </p>
    );
  if (!q.data) return <p className="text-zinc-500">Loading…</p>;
  const { session: s, turns } = q.data;
  const continueHref = `/dashboard/playground?session=${encodeURIComponent(s.id)}&model=${encodeURIComponent(s.model)}`;
  return (
    <article className="flex flex-col gap-5">
      <header className="flex flex-wrap items-center gap-3">
        <Link href="/dashboard/sessions" className="text-sm text-zinc-400 hover:text-zinc-100">
          ← Sessions
        </Link>
        <h1 className="text-lg font-semibold">{s.title || s.id}</h1>
        <Link
          href={continueHref}
          className="ml-auto rounded bg-sky-600 px-3 py-1.5 text-sm font-medium hover:bg-sky-500"
        >
          Continue in playground
        </Link>
      </header>
      <p className="text-sm text-zinc-400">
        <span className="font-mono">{s.id}</span> · {s.provider} · <span className="font-mono">{s.model}</span> ·{" "}
        {fmtInt(s.turnCount)} turns · {fmtInt(s.totalTokens)} tokens · last used {fmtTime(s.lastUsedAt)} · key{" "}
        <KeyName id={s.keyId} />
      </p>
      {s.systemPrompt && <MessageView message={{ role: "system", content: s.systemPrompt }} />}
      <ol className="flex flex-col gap-4">
        {turns.map((t) => (
          <li key={t.turn} className="flex flex-col gap-2" data-testid="turn">
            <div className="flex flex-wrap gap-3 text-xs text-zinc-500">
              <span className="font-medium text-zinc-300">Turn {t.turn}</span>
              <span>{fmtTime(t.createdAt)}</span>
              <span>
                {fmtInt(t.promptTokens)} in · {fmtInt(t.completionTokens)} out
              </span>
              {t.requestId && (
                <Link href={`/dashboard/requests/${t.requestId}`} className="text-sky-400 hover:underline">
                  request
                </Link>
              )}
            </div>
            {t.messages.map((m, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: a turn's messages keep their order
              <MessageView key={i} message={m.content} />
            ))}
            <StepsTimeline steps={t.steps} folded />
          </li>
        ))}
      </ol>
    </article>
  );
}
