import Link from "next/link";
import type { RouterOutputs } from "@/trpc/types";
import { fmtCost, fmtInt, fmtMs, fmtTime } from "../format";
import { Subject } from "../requests/subject-view";

type ModelRow = RouterOutputs["usage"]["byModel"][number];
type ErrorRow = RouterOutputs["usage"]["latestErrors"][number];

const th = "px-3 py-2 font-medium whitespace-nowrap";
const td = "px-3 py-2 whitespace-nowrap";
/** The model column stays in view while the figures scroll sideways (phones). */
const sticky = "sticky left-0 z-[1] bg-zinc-900";

/** The columns of GET /v1/usage, in its order and with its figures. */
const COLUMNS: Array<{ key: keyof ModelRow; label: string; fmt: (r: ModelRow) => string }> = [
  { key: "requests", label: "Requests", fmt: (r) => fmtInt(r.requests) },
  { key: "errors", label: "Errors", fmt: (r) => fmtInt(r.errors) },
  { key: "cancelled", label: "Cancelled", fmt: (r) => fmtInt(r.cancelled) },
  { key: "prompt_tokens", label: "Prompt", fmt: (r) => fmtInt(r.prompt_tokens) },
  { key: "completion_tokens", label: "Completion", fmt: (r) => fmtInt(r.completion_tokens) },
  { key: "total_tokens", label: "Total", fmt: (r) => fmtInt(r.total_tokens) },
  { key: "cached_tokens", label: "Cached", fmt: (r) => fmtInt(r.cached_tokens) },
  { key: "cost_usd", label: "Cost", fmt: (r) => fmtCost(r.cost_usd) },
  { key: "avg_duration_ms", label: "Avg duration", fmt: (r) => fmtMs(r.avg_duration_ms) },
];

function Placeholder({ rows, failed, empty }: { rows: unknown[] | undefined; failed: boolean; empty: string }) {
  if (failed && !rows) return <>Could not load.</>;
  if (!rows) return <>Loading…</>;
  return <>{empty}</>;
}

/**
 * A model's requests in the log. The "unknown" row (calls that named no model: a 401, a body that was
 * not JSON) has no model to filter on, so it is not a link.
 */
function ModelLink({ row, className = "" }: { row: ModelRow; className?: string }) {
  if (row.model === "unknown" && row.provider === "unknown") {
    return (
      <span className={`text-zinc-400 ${className}`} title="Requests that named no model">
        {row.model}
      </span>
    );
  }
  return (
    <Link
      className={`hover:underline ${className}`}
      href={`/dashboard/requests?model=${encodeURIComponent(row.model)}`}
    >
      {row.model || "(none)"}
    </Link>
  );
}

export function ModelTable({
  rows,
  failed = false,
  costLabel = "Cost",
}: {
  rows: ModelRow[] | undefined;
  failed?: boolean;
  /** "API-equivalent cost" for a plan login. */
  costLabel?: string;
}) {
  const label = (c: (typeof COLUMNS)[number]) => (c.key === "cost_usd" ? costLabel : c.label);
  return (
    <section aria-labelledby="by-model" className="min-w-0 rounded-lg border border-zinc-800 bg-zinc-900/60">
      <h2 id="by-model" className="px-4 pt-3 text-sm font-medium text-zinc-300">
        By model <span className="font-normal text-zinc-500">(the figures of GET /v1/usage)</span>
      </h2>
      {/* Phones: one card per model with every figure, instead of eleven columns scrolled sideways. */}
      <ul className="divide-y divide-zinc-800 sm:hidden" data-testid="model-cards" aria-busy={!rows}>
        {(rows ?? []).map((r) => (
          <li key={`${r.model}|${r.provider}`} className="px-4 py-2.5" data-testid="model-card">
            <div className="flex items-baseline gap-2">
              <ModelLink row={r} className="truncate font-mono text-sm" />
              <span className="ml-auto text-xs text-zinc-500">{r.provider || "–"}</span>
            </div>
            <dl className="mt-1 grid grid-cols-3 gap-x-3 gap-y-1 text-xs tabular-nums">
              {COLUMNS.map((c) => (
                <div key={c.key}>
                  <dt className="text-zinc-500">{label(c)}</dt>
                  <dd className={c.key === "errors" && r.errors ? "text-red-400" : "text-zinc-200"}>{c.fmt(r)}</dd>
                </div>
              ))}
            </dl>
          </li>
        ))}
        {(!rows || rows.length === 0) && (
          <li className="px-4 py-6 text-center text-sm text-zinc-500">
            <Placeholder rows={rows} failed={failed} empty="No requests in this range." />
          </li>
        )}
      </ul>
      <div className="hidden overflow-x-auto sm:block">
        <table className="w-full text-left text-sm" data-testid="model-table" aria-busy={!rows}>
          <thead className="text-xs uppercase text-zinc-400">
            <tr>
              <th className={`${th} ${sticky}`}>Model</th>
              <th className={th}>Provider</th>
              {COLUMNS.map((c) => (
                <th key={c.key} className={`${th} text-right`}>
                  {label(c)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="tabular-nums">
            {(rows ?? []).map((r) => (
              <tr key={`${r.model}|${r.provider}`} className="border-t border-zinc-800" data-testid="model-row">
                <td className={`${td} ${sticky} max-w-40 truncate font-mono sm:max-w-none`} data-col="model">
                  <ModelLink row={r} />
                </td>
                <td className={td} data-col="provider">
                  {r.provider || "–"}
                </td>
                {COLUMNS.map((c) => (
                  <td
                    key={c.key}
                    data-col={c.key}
                    className={`${td} text-right ${c.key === "errors" && r.errors ? "text-red-400" : ""}`}
                  >
                    {c.fmt(r)}
                  </td>
                ))}
              </tr>
            ))}
            {(!rows || rows.length === 0) && (
              <tr>
                <td colSpan={2 + COLUMNS.length} className="px-3 py-6 text-center text-zinc-500">
                  <Placeholder rows={rows} failed={failed} empty="No requests in this range." />
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export function LatestErrors({ rows, failed = false }: { rows: ErrorRow[] | undefined; failed?: boolean }) {
  return (
    <section aria-labelledby="latest-errors" className="min-w-0 rounded-lg border border-zinc-800 bg-zinc-900/60">
      <h2 id="latest-errors" className="px-4 pt-3 text-sm font-medium text-zinc-300">
        Latest errors
      </h2>
      <ul className="divide-y divide-zinc-800 text-sm" data-testid="latest-errors" aria-busy={!rows}>
        {(rows ?? []).map((e) => (
          <li key={e.id} className="px-4 py-2">
            <Link
              href={`/dashboard/requests/${e.id}`}
              className="flex flex-wrap items-baseline gap-x-3 hover:underline"
            >
              <span className="rounded bg-red-950 px-1.5 text-xs text-red-300">{e.httpStatus}</span>
              <span className="font-mono text-zinc-300">
                <Subject model={e.model} endpoint={e.endpoint} />
              </span>
              <span className="text-xs text-zinc-500">{fmtTime(e.createdAt)}</span>
            </Link>
            <p className="mt-0.5 truncate text-zinc-400" title={e.errorMessage ?? ""}>
              {e.errorMessage ?? e.errorType}
            </p>
          </li>
        ))}
        {(!rows || rows.length === 0) && (
          <li className="px-4 py-6 text-center text-zinc-500">
            <Placeholder rows={rows} failed={failed} empty="No errors in this range." />
          </li>
        )}
      </ul>
    </section>
  );
}
