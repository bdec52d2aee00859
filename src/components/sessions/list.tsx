"use client";
import { useInfiniteQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { useTRPC } from "@/trpc/client";
import { fmtInt, fmtTime } from "../format";
import { KeyName } from "../keys/key-select";
import { ErrorNote, LoadMore } from "../paging";

const th = "px-3 py-2 font-medium";
const td = "px-3 py-2";

export function SessionList() {
  const trpc = useTRPC();
  const [provider, setProvider] = useState("");
  const list = useInfiniteQuery(
    trpc.sessions.list.infiniteQueryOptions(
      { limit: 50, ...(provider ? { provider } : {}) },
      { getNextPageParam: (last) => last.nextCursor ?? undefined },
    ),
  );
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];
  const note = list.isPending
    ? "Loading…"
    : !list.error && rows.length === 0
      ? "No sessions yet. Send X-Session-ID with a request, or start one in the playground."
      : null;
  const href = (id: string) => `/dashboard/sessions/${encodeURIComponent(id)}`;
  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-end gap-3">
        <h1 className="mr-auto text-xl font-semibold">Sessions</h1>
        <label className="flex flex-col gap-1 text-xs text-zinc-400">
          Provider
          <select
            className="rounded border border-zinc-700 bg-zinc-900 px-2 py-1.5 text-sm"
            value={provider}
            onChange={(e) => setProvider(e.target.value)}
          >
            <option value="">All providers</option>
            <option value="claude-code">claude-code</option>
            <option value="ollama">ollama</option>
          </select>
        </label>
      </div>
      <ErrorNote error={list.error} />
      <ul
        className="divide-y divide-zinc-800 rounded-lg border border-zinc-800 sm:hidden"
        data-testid="session-cards"
        aria-label="Sessions"
      >
        {rows.map((s) => (
          <li key={s.id} className="flex flex-col gap-1 px-3 py-2.5" data-testid="session-card">
            <Link href={href(s.id)} className="text-sm text-sky-400 hover:underline">
              {s.title || s.id}
            </Link>
            <div className="truncate font-mono text-xs text-zinc-500">{s.id}</div>
            <div className="flex flex-wrap gap-x-3 text-xs text-zinc-400 tabular-nums">
              <span>{s.provider}</span>
              <span className="font-mono">{s.model}</span>
              <span>{fmtInt(s.turnCount)} turns</span>
              <span>{fmtInt(s.totalTokens)} tok</span>
              <span>{fmtTime(s.lastUsedAt)}</span>
            </div>
          </li>
        ))}
        {note && <li className="px-3 py-8 text-center text-sm text-zinc-500">{note}</li>}
      </ul>
      <div className="hidden overflow-x-auto rounded-lg border border-zinc-800 sm:block">
        <table className="w-full text-left text-sm" data-testid="session-table">
          <thead className="bg-zinc-900 text-xs uppercase text-zinc-400">
            <tr>
              <th className={th}>Title</th>
              <th className={th}>Provider</th>
              <th className={th}>Model</th>
              <th className={`${th} text-right`}>Turns</th>
              <th className={`${th} text-right`}>Tokens</th>
              <th className={th}>Last used</th>
              <th className={th}>Key</th>
            </tr>
          </thead>
          <tbody className="tabular-nums">
            {rows.map((s) => (
              <tr key={s.id} className="border-t border-zinc-800 hover:bg-zinc-900/60" data-testid="session-row">
                <td className={`${td} max-w-md`}>
                  <Link href={href(s.id)} className="text-sky-400 hover:underline">
                    {s.title || s.id}
                  </Link>
                  <div className="font-mono text-xs text-zinc-500">{s.id}</div>
                </td>
                <td className={td}>{s.provider}</td>
                <td className={`${td} font-mono`}>{s.model}</td>
                <td className={`${td} text-right`}>{fmtInt(s.turnCount)}</td>
                <td className={`${td} text-right`}>{fmtInt(s.totalTokens)}</td>
                <td className={`${td} whitespace-nowrap`}>{fmtTime(s.lastUsedAt)}</td>
                <td className={`${td} text-xs`}>
                  <KeyName id={s.keyId} />
                </td>
              </tr>
            ))}
            {note && (
              <tr>
                <td colSpan={7} className="px-3 py-8 text-center text-zinc-500">
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
