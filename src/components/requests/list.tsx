"use client";
import { useInfiniteQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useRef, useState } from "react";
import { useTRPC } from "@/trpc/client";
import type { RouterOutputs } from "@/trpc/types";
import { fmtCost, fmtInt, fmtMs, fmtTime } from "../format";
import { KeyName } from "../keys/key-select";
import { useCostLabel } from "../overview/plan";
import { ErrorNote, LoadMore } from "../paging";
import { Filters, type RequestFilter, toQuery } from "./filters";
import { filterFromQuery, PendingFilter } from "./pending-filter";
import { Subject } from "./subject-view";

type Row = RouterOutputs["requests"]["list"]["items"][number];

export function StatusBadge({ status, http }: { status: string; http?: number }) {
  const cls =
    status === "ok"
      ? "bg-emerald-950 text-emerald-300"
      : status === "cancelled"
        ? "bg-zinc-800 text-zinc-300"
        : status === "running"
          ? "bg-sky-950 text-sky-300"
          : "bg-red-950 text-red-300";
  return (
    <span className={`rounded px-1.5 py-0.5 text-xs ${cls}`}>
      {http && status !== "ok" && status !== "running" ? `${status} ${http}` : status}
    </span>
  );
}

/** A background response's own status (queued, in_progress, then how it ended), next to its request's. */
export function BackgroundBadge({ status }: { status: string | null }) {
  if (!status) return null;
  return (
    <span data-testid="background-status" className="ml-1 rounded bg-indigo-950 px-1.5 py-0.5 text-xs text-indigo-300">
      background · {status}
    </span>
  );
}

/** While a run goes on (a background one, a stream), its list or detail is fetched again every 2 s. */
export const isLive = (r: { status: string; background: string | null }) =>
  r.status === "running" || r.background === "queued" || r.background === "in_progress";

const th = "px-3 py-2 font-medium";
const td = "px-3 py-2 whitespace-nowrap";

/** A request's page, remembering the list's filters for its "← Requests" link. */
const detailHref = (id: string, listQuery: string) =>
  `/dashboard/requests/${encodeURIComponent(id)}${listQuery ? `?list=${encodeURIComponent(listQuery)}` : ""}`;

function SessionLink({ id }: { id: string | null }) {
  if (!id) return <>–</>;
  return (
    <Link href={`/dashboard/sessions/${encodeURIComponent(id)}`} className="hover:underline">
      {id}
    </Link>
  );
}

/** Below the sm breakpoint: one card per request, every figure visible without scrolling sideways. */
function RequestCard({ r, href }: { r: Row; href: string }) {
  return (
    <li className="flex flex-col gap-1 px-3 py-2.5" data-testid="request-card">
      <div className="flex items-center gap-2">
        <Link href={href} className="text-sm text-sky-400 hover:underline">
          {fmtTime(r.createdAt)}
        </Link>
        <span className="ml-auto">
          <StatusBadge status={r.status} http={r.httpStatus} />
          <BackgroundBadge status={r.background} />
        </span>
      </div>
      <div className="truncate font-mono text-sm">
        <Subject model={r.model} endpoint={r.endpoint} />{" "}
        <span className="text-xs text-zinc-500">{r.stream ? "stream" : ""}</span>
      </div>
      <div className="flex flex-wrap gap-x-3 text-xs text-zinc-400 tabular-nums">
        <span>{fmtInt(r.totalTokens)} tok</span>
        <span>{fmtCost(r.costUsd)}</span>
        <span>{fmtMs(r.durationMs)}</span>
        <span>first {fmtMs(r.ttftMs)}</span>
        {r.steps > 0 && <span data-testid="request-steps">{fmtInt(r.steps)} steps</span>}
        {r.upstreamHost && <span className="font-mono">on {r.upstreamHost}</span>}
      </div>
      {r.sessionId && (
        <div className="truncate font-mono text-xs text-zinc-500">
          session <SessionLink id={r.sessionId} />
        </div>
      )}
    </li>
  );
}

export function RequestList() {
  const trpc = useTRPC();
  const costLabel = useCostLabel();
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const filter = filterFromQuery(params);
  // "Last hour" counts back from when the range was picked, not from each render.
  const [anchor, setAnchor] = useState(() => Date.now());
  // The URL updates a moment after router.replace: changes made before it does build on the last one (pending-filter.ts).
  const listQuery = params.toString();
  const pending = useRef<PendingFilter | null>(null);
  pending.current ??= new PendingFilter(listQuery, filter);
  pending.current.observe(listQuery, filter);
  const setFilter = (patch: Partial<RequestFilter>) => {
    const next = (pending.current as PendingFilter).change(patch);
    if (next.filter.range !== filter.range) setAnchor(Date.now());
    router.replace(`${pathname}${next.query ? `?${next.query}` : ""}`);
  };
  const list = useInfiniteQuery(
    trpc.requests.list.infiniteQueryOptions(
      { ...toQuery(filter, anchor), limit: 50 },
      {
        getNextPageParam: (last) => last.nextCursor ?? undefined,
        refetchInterval: (q) => (q.state.data?.pages.some((p) => p.items.some(isLive)) ? 2_000 : false),
      },
    ),
  );
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];
  const note = list.isPending ? "Loading…" : !list.error && rows.length === 0 ? "No requests match." : null;

  return (
    <div className="flex flex-col gap-4">
      <h1 className="text-xl font-semibold">Requests</h1>
      <Filters value={filter} onChange={setFilter} />
      <ErrorNote error={list.error} />
      <ul
        className="divide-y divide-zinc-800 rounded-lg border border-zinc-800 sm:hidden"
        data-testid="request-cards"
        aria-label="Requests"
      >
        {rows.map((r) => (
          <RequestCard key={r.id} r={r} href={detailHref(r.id, listQuery)} />
        ))}
        {note && <li className="px-3 py-8 text-center text-sm text-zinc-500">{note}</li>}
      </ul>
      <div className="hidden overflow-x-auto rounded-lg border border-zinc-800 sm:block">
        <table className="w-full text-left text-sm" data-testid="request-table" aria-busy={list.isPending}>
          <thead className="bg-zinc-900 text-xs uppercase text-zinc-400">
            <tr>
              <th className={th}>Time</th>
              <th className={th}>Model</th>
              <th className={th}>Status</th>
              <th className={`${th} text-right`}>Tokens</th>
              <th className={`${th} text-right`}>{costLabel}</th>
              <th className={`${th} text-right`}>Duration</th>
              <th className={`${th} text-right`}>First token</th>
              <th className={`${th} text-right`}>Steps</th>
              <th className={th}>Host</th>
              <th className={th}>Session</th>
              <th className={th}>Key</th>
            </tr>
          </thead>
          <tbody className="tabular-nums">
            {rows.map((r) => (
              <tr
                key={r.id}
                className="border-t border-zinc-800 hover:bg-zinc-900/60"
                data-testid="request-row"
                data-id={r.id}
              >
                <td className={td}>
                  <Link href={detailHref(r.id, listQuery)} className="text-sky-400 hover:underline">
                    {fmtTime(r.createdAt)}
                  </Link>
                </td>
                <td className={`${td} font-mono`}>
                  <Subject model={r.model} endpoint={r.endpoint} />{" "}
                  <span className="text-xs text-zinc-500">{r.stream ? "stream" : ""}</span>
                </td>
                <td className={td}>
                  <StatusBadge status={r.status} http={r.httpStatus} />
                  <BackgroundBadge status={r.background} />
                </td>
                <td className={`${td} text-right`}>{fmtInt(r.totalTokens)}</td>
                <td className={`${td} text-right`}>{fmtCost(r.costUsd)}</td>
                <td className={`${td} text-right`}>{fmtMs(r.durationMs)}</td>
                <td className={`${td} text-right`}>{fmtMs(r.ttftMs)}</td>
                <td className={`${td} text-right`} data-testid="request-steps">
                  {r.steps ? fmtInt(r.steps) : "–"}
                </td>
                <td className={`${td} max-w-40 truncate font-mono text-xs`} data-testid="request-host">
                  {r.upstreamHost ?? "–"}
                </td>
                <td className={`${td} max-w-40 truncate font-mono text-xs`}>
                  <SessionLink id={r.sessionId} />
                </td>
                <td className={`${td} text-xs`}>
                  <KeyName id={r.keyId} />
                </td>
              </tr>
            ))}
            {note && (
              <tr>
                <td colSpan={11} className="px-3 py-8 text-center text-zinc-500">
                  {note}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <LoadMore list={list} />
    </div>
  );
}
