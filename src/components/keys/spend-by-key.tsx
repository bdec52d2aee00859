"use client";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/client";
import { fmtCost, fmtInt } from "../format";

const th = "px-2 py-2 font-medium whitespace-nowrap sm:px-3";
const td = "px-2 py-2 whitespace-nowrap sm:px-3";

/** The overview's spend and requests per API key over the chosen range ("(no key)": admin, console, open). */
export function SpendByKey({ range }: { range: "1h" | "24h" | "7d" | "30d" | "all" }) {
  const trpc = useTRPC();
  const q = useQuery({ ...trpc.keys.usage.queryOptions({ range }), placeholderData: keepPreviousData });
  const rows = q.data ?? [];
  return (
    <section aria-labelledby="by-key" className="min-w-0 rounded-lg border border-zinc-800 bg-zinc-900/60">
      <h2 id="by-key" className="px-4 pt-3 text-sm font-medium text-zinc-300">
        By API key
      </h2>
      <div className="overflow-x-auto">
        <table className="mt-2 w-full text-left text-sm" data-testid="key-spend-table">
          <thead className="text-xs uppercase text-zinc-400">
            <tr>
              <th className={th}>Key</th>
              <th className={`${th} text-right`}>Requests</th>
              <th className={`${th} text-right`}>Errors</th>
              <th className={`${th} text-right`}>Tokens</th>
              <th className={`${th} text-right`}>Cost</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-zinc-800 tabular-nums">
            {rows.map((r) => (
              <tr key={r.key_id ?? "none"} data-testid="key-spend-row">
                <td className={`${td} ${r.key_id ? "" : "text-zinc-500"}`}>{r.name}</td>
                <td className={`${td} text-right`}>{fmtInt(r.requests)}</td>
                <td className={`${td} text-right`}>{fmtInt(r.errors)}</td>
                <td className={`${td} text-right`}>{fmtInt(r.total_tokens)}</td>
                <td className={`${td} text-right`}>{fmtCost(r.cost_usd)}</td>
              </tr>
            ))}
            {rows.length === 0 && (
              <tr>
                <td colSpan={5} className="px-3 py-6 text-center text-zinc-500">
                  {q.isPending ? "Loading…" : q.error ? "Could not load." : "No requests in this range."}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}
