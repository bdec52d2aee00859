"use client";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/client";

const mib = (bytes: number) => `${Math.round(bytes / 2 ** 20).toLocaleString("en")} MiB`;

/** All processes against CLAUDE_MAX_PROCESSES, and the requests that found none ready and waited. */
function waitsLine(s: {
  total: number;
  limits: { maxProcesses: number };
  waits: { queued: number; total: number; totalMs: number; maxMs: number };
}): string {
  const { waits } = s;
  const avg = waits.total
    ? ` (${Math.round(waits.totalMs / waits.total)} ms on average, ${Math.round(waits.maxMs)} ms at most)`
    : "";
  const now = waits.queued ? ` · ${waits.queued} waiting now` : "";
  return `${s.total} of at most ${s.limits.maxProcesses} processes · ${waits.total.toLocaleString("en")} requests waited for a process${avg}${now}`;
}

/** Claude Code's live processes now: running turns, turns waiting for tool results, idle, spare and reusable. */
export function ClaudeProcesses({ live }: { live: boolean }) {
  const trpc = useTRPC();
  const q = useQuery({ ...trpc.models.claudeProcesses.queryOptions(), refetchInterval: live ? 5_000 : false });
  const s = q.data;
  const items = s
    ? [
        { label: "Running", n: s.running, rss: s.rssBytes.running, hint: "turns now" },
        { label: "Waiting for tools", n: s.waiting, rss: s.rssBytes.waiting, hint: "tool calls out" },
        { label: "Idle (warm)", n: s.idle, rss: s.rssBytes.idle, hint: `at most ${s.limits.warmSessions}` },
        {
          label: "Spare",
          n: s.spare,
          rss: s.rssBytes.spare,
          hint: `${s.limits.spares}–${s.limits.sparesMax} ready, by demand`,
        },
        { label: "Reusable", n: s.reusable, rss: s.rssBytes.reusable, hint: "cleared, same caller" },
      ]
    : [];
  return (
    <section aria-label="Claude Code processes" className="rounded-lg border border-zinc-800 bg-zinc-900/60 p-4">
      <h2 className="mb-3 text-sm font-medium text-zinc-300">Claude Code processes</h2>
      {!s ? (
        <p className="text-sm text-zinc-500">{q.error ? q.error.message : "Loading…"}</p>
      ) : (
        <>
          <dl className="grid grid-cols-2 gap-4 md:grid-cols-5" data-testid="claude-processes">
            {items.map((i) => (
              <div key={i.label}>
                <dt className="text-xs uppercase tracking-wide text-zinc-500">{i.label}</dt>
                <dd className="mt-0.5 text-lg font-semibold tabular-nums">{i.n}</dd>
                <dd className="text-xs text-zinc-500">{`${mib(i.rss)} · ${i.hint}`}</dd>
              </div>
            ))}
          </dl>
          <p className="mt-3 text-xs text-zinc-500" data-testid="claude-process-waits">
            {waitsLine(s)}
          </p>
        </>
      )}
    </section>
  );
}
