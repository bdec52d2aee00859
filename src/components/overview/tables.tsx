import Link from "next/link";
import type { RouterOutputs } from "@/trpc/types";
import { fmtCost, fmtInt, fmtMs, fmtTime } from "../format";

type ModelRow = RouterOutputs["usage"]["byModel"][number];
type ErrorRow = RouterOutputs["usage"]["latestErrors"][number];

const th = "px-3 py-2 font-medium";
const td = "px-3 py-2";

export function ModelTable({ rows }: { rows: ModelRow[] }) {
  return (
    <section aria-labelledby="by-model" className="min-w-0 rounded-lg border border-zinc-800 bg-zinc-900/60">
      <h2 id="by-model" className="px-4 pt-3 text-sm font-medium text-zinc-300">
        By model
      </h2>
      <div className="overflow-x-auto">
        <table className="w-full min-w-[640px] text-left text-sm" data-testid="model-table">
          <thead className="text-xs uppercase text-zinc-400">
            <tr>
              <th className={th}>Model</th>
              <th className={th}>Provider</th>
              <th className={`${th} text-right`}>Requests</th>
              <th className={`${th} text-right`}>Errors</th>
              <th className={`${th} text-right`}>Prompt</th>
              <th className={`${th} text-right`}>Completion</th>
              <th className={`${th} text-right`}>Cost</th>
              <th className={`${th} text-right`}>Avg duration</th>
            </tr>
          </thead>
          <tbody className="tabular-nums">
            {rows.map((r) => (
              <tr key={`${r.model}|${r.provider}`} className="border-t border-zinc-800">
                <td className={`${td} font-mono`}>
                  <Link className="hover:underline" href={`/dashboard/requests?model=${encodeURIComponent(r.model)}`}>
                    {r.model || "(none)"}
                  </Link>
                </td>
                <td className={td}>{r.provider || "–"}</td>
                <td className={`${td} text-right`}>{fmtInt(r.requests)}</td>
                <td className={`${td} text-right ${r.errors ? "text-red-400" : ""}`}>{fmtInt(r.errors)}</td>
                <td className={`${td} text-right`}>{fmtInt(r.prompt_tokens)}</td>
                <td className={`${td} text-right`}>{fmtInt(r.completion_tokens)}</td>
                <td className={`${td} text-right`}>{fmtCost(r.cost_usd)}</td>
                <td className={`${td} text-right`}>{fmtMs(r.avg_duration_ms)}</td>
              </tr>
            ))}
            {rows.length === 0 && (
              <tr>
                <td colSpan={8} className="px-3 py-6 text-center text-zinc-500">
                  No requests in this range.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export function LatestErrors({ rows }: { rows: ErrorRow[] }) {
  return (
    <section aria-labelledby="latest-errors" className="min-w-0 rounded-lg border border-zinc-800 bg-zinc-900/60">
      <h2 id="latest-errors" className="px-4 pt-3 text-sm font-medium text-zinc-300">
        Latest errors
      </h2>
      <ul className="divide-y divide-zinc-800 text-sm" data-testid="latest-errors">
        {rows.map((e) => (
          <li key={e.id} className="px-4 py-2">
            <Link
              href={`/dashboard/requests/${e.id}`}
              className="flex flex-wrap items-baseline gap-x-3 hover:underline"
            >
              <span className="rounded bg-red-950 px-1.5 text-xs text-red-300">{e.httpStatus}</span>
              <span className="font-mono text-zinc-300">{e.model || "(none)"}</span>
              <span className="text-xs text-zinc-500">{fmtTime(e.createdAt)}</span>
            </Link>
            <p className="mt-0.5 truncate text-zinc-400" title={e.errorMessage ?? ""}>
              {e.errorMessage ?? e.errorType}
            </p>
          </li>
        ))}
        {rows.length === 0 && <li className="px-4 py-6 text-center text-zinc-500">No errors in this range.</li>}
      </ul>
    </section>
  );
}
