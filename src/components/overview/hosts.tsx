"use client";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/client";
import type { RouterOutputs } from "@/trpc/types";
import { fmtInt, fmtTime } from "../format";

type Host = RouterOutputs["models"]["ollamaHosts"][number];

function StateBadge({ state }: { state: Host["state"] }) {
  const cls = state === "up" ? "bg-emerald-950 text-emerald-300" : "bg-red-950 text-red-300";
  return <span className={`rounded px-1.5 py-0.5 text-xs ${cls}`}>{state}</span>;
}

function Figure({ label, value, alert }: { label: string; value: string; alert?: boolean }) {
  return (
    <div>
      <dt className="text-xs uppercase tracking-wide text-zinc-500">{label}</dt>
      <dd className={`text-lg font-semibold tabular-nums ${alert ? "text-red-300" : ""}`}>{value}</dd>
    </div>
  );
}

function HostCard({ h }: { h: Host }) {
  const note =
    h.state === "down"
      ? `down since ${h.downSince ? fmtTime(h.downSince) : "–"}: ${h.lastError ?? "no answer"}`
      : `${h.models} model${h.models === 1 ? "" : "s"}${h.loaded.length ? ` · loaded: ${h.loaded.join(", ")}` : ""}${h.version ? ` · v${h.version}` : ""}`;
  return (
    <li
      className="flex min-w-0 flex-col gap-2 rounded-md border border-zinc-800 bg-zinc-950/40 p-3"
      data-testid="ollama-host"
      data-host={h.name}
      data-state={h.state}
    >
      <div className="flex items-center gap-2">
        <span className="truncate font-mono text-sm" title={h.url}>
          {h.name}
        </span>
        <span className="ml-auto">
          <StateBadge state={h.state} />
        </span>
      </div>
      <dl className="grid grid-cols-3 gap-2">
        <Figure label="In flight" value={fmtInt(h.inFlight)} />
        <Figure label="Requests" value={fmtInt(h.requests)} />
        <Figure label="Errors" value={fmtInt(h.errors)} alert={h.errors > 0} />
      </dl>
      <p className="line-clamp-2 text-xs text-zinc-500 wrap-anywhere" title={note}>
        {note}
      </p>
    </li>
  );
}

/** The Ollama hosts of OLLAMA_URL: up or down and in flight now, requests and errors in the range. */
export function OllamaHosts({ range, live }: { range: string; live: boolean }) {
  const trpc = useTRPC();
  const q = useQuery({
    ...trpc.models.ollamaHosts.queryOptions({ range: range as "1h" | "24h" | "7d" | "30d" | "all" }),
    refetchInterval: live ? 5_000 : false,
  });
  const hosts = q.data;
  const down = hosts?.filter((h) => h.state === "down").length ?? 0;
  return (
    <section aria-label="Ollama hosts" className="rounded-lg border border-zinc-800 bg-zinc-900/60 p-4">
      <h2 className="mb-3 flex items-baseline gap-2 text-sm font-medium text-zinc-300">
        Ollama hosts
        {hosts && (
          <span className="text-xs font-normal text-zinc-500">
            {hosts.length - down} of {hosts.length} up
          </span>
        )}
      </h2>
      {!hosts ? (
        <p className="text-sm text-zinc-500">{q.error ? q.error.message : "Loading…"}</p>
      ) : (
        <ul className="grid grid-cols-1 gap-3 md:grid-cols-2 xl:grid-cols-3" data-testid="ollama-hosts">
          {hosts.map((h) => (
            <HostCard key={h.name} h={h} />
          ))}
        </ul>
      )}
    </section>
  );
}
