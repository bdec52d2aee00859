"use client";
// The tools the runs of the range called (issue 25): calls, failures, average duration; a tool's name
// opens the request list filtered to the requests that ran it.
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "@/trpc/client";
import { fmtInt, fmtMs } from "../format";

type Range = "1h" | "24h" | "7d" | "30d" | "all";

export function ToolCalls({ range, live }: { range: Range; live: boolean }) {
  const trpc = useTRPC();
  const q = useQuery({ ...trpc.usage.tools.queryOptions({ range }), refetchInterval: live ? 30_000 : false });
  const rows = q.data ?? [];
  if (rows.length === 0) return null;
  const td = "px-3 py-1.5";
  return (
    <section
      aria-label="Tool calls"
      className="rounded-lg border border-zinc-800 bg-zinc-900/60 p-4"
      data-testid="tool-calls"
    >
      <h2 className="mb-2 text-sm font-medium text-zinc-300">Tool calls</h2>
      <div className="overflow-x-auto">
        <table className="w-full text-sm tabular-nums">
          <thead className="text-left text-xs uppercase text-zinc-500">
            <tr>
              <th className={td}>Tool</th>
              <th className={`${td} text-right`}>Calls</th>
              <th className={`${td} text-right`}>Failed</th>
              <th className={`${td} text-right`}>Avg duration</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-zinc-800">
            {rows.map((t) => (
              <tr key={t.tool} data-testid="tool-row" data-tool={t.tool}>
                <td className={`${td} font-mono`}>
                  <Link
                    className="text-sky-400 hover:underline"
                    href={`/dashboard/requests?${new URLSearchParams({ tool: t.tool, ...(range === "all" ? {} : { range }) })}`}
                    title={`Every request that ran ${t.tool}`}
                  >
                    {t.tool}
                  </Link>
                </td>
                <td className={`${td} text-right`}>{fmtInt(t.calls)}</td>
                <td className={`${td} text-right ${t.errors ? "text-red-300" : ""}`}>{fmtInt(t.errors)}</td>
                <td className={`${td} text-right`}>{fmtMs(t.avgMs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
