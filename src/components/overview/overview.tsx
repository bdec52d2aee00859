"use client";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/trpc/client";
import { SpendByKey } from "../keys/spend-by-key";
import { SummaryCards } from "./cards";
import { UsageCharts } from "./charts";
import { OllamaHosts } from "./hosts";
import { ClaudePlan, useCostLabel } from "./plan";
import { ClaudeProcesses } from "./processes";
import { LatestErrors, ModelTable } from "./tables";
import { ToolCalls } from "./tools";

const RANGES = [
  { key: "1h", label: "1 h" },
  { key: "24h", label: "24 h" },
  { key: "7d", label: "7 d" },
  { key: "30d", label: "30 d" },
  { key: "all", label: "All" },
] as const;
type Range = (typeof RANGES)[number]["key"];

export function Overview() {
  const trpc = useTRPC();
  const [range, setRange] = useState<Range>("24h");
  const [live, setLive] = useState(true);
  // Keep the figures of the previous range on screen while the new one loads (marked as updating).
  const opts = { refetchInterval: live ? 30_000 : (false as const), placeholderData: keepPreviousData };
  const summary = useQuery({ ...trpc.usage.summary.queryOptions({ range }), ...opts });
  const series = useQuery({ ...trpc.usage.timeSeries.queryOptions({ range }), ...opts });
  const byModel = useQuery({ ...trpc.usage.byModel.queryOptions({ range }), ...opts });
  const errors = useQuery({ ...trpc.usage.latestErrors.queryOptions({ range, limit: 8 }), ...opts });
  const all = [summary, series, byModel, errors];
  const failed = all.find((q) => q.error)?.error;
  const updating = all.some((q) => q.isPlaceholderData || (q.isFetching && !q.isPending));
  const costLabel = useCostLabel();

  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="mr-auto text-xl font-semibold">Overview</h1>
        <fieldset className="flex rounded-md border border-zinc-800 p-0.5" aria-label="Time range">
          {RANGES.map((r) => (
            <label
              key={r.key}
              className={`cursor-pointer rounded px-2.5 py-1 text-sm has-[:focus-visible]:outline has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-sky-500 ${range === r.key ? "bg-zinc-800 text-white" : "text-zinc-400 hover:text-zinc-100"}`}
            >
              <input
                type="radio"
                name="range"
                value={r.key}
                checked={range === r.key}
                onChange={() => setRange(r.key)}
                className="sr-only"
              />
              {r.label}
            </label>
          ))}
        </fieldset>
        <span role="status" aria-live="polite" className="w-20 text-xs text-zinc-500" data-testid="updating">
          {updating ? "Updating…" : ""}
        </span>
        <label className="flex items-center gap-2 text-sm text-zinc-400">
          <input
            type="checkbox"
            checked={live}
            onChange={(e) => setLive(e.target.checked)}
            className="accent-sky-500"
          />
          Refresh every 30 s
        </label>
      </div>
      {failed && (
        <p role="alert" className="rounded border border-red-900 bg-red-950/40 px-3 py-2 text-sm text-red-300">
          {failed.message}
        </p>
      )}
      <SummaryCards s={summary.data} costLabel={costLabel} />
      <ClaudePlan live={live} />
      <ClaudeProcesses live={live} />
      <OllamaHosts range={range} live={live} />
      <UsageCharts series={series.data} loading={series.isPending} />
      {/* The per-model table has eleven columns: it gets the full width (at 1366 px two thirds of it
          hid Cost and Avg duration off to the side), the latest errors go below it. */}
      <ModelTable rows={byModel.data} failed={Boolean(byModel.error)} costLabel={costLabel} />
      <ToolCalls range={range} live={live} />
      <LatestErrors rows={errors.data} failed={Boolean(errors.error)} />
      <SpendByKey range={range} />
    </div>
  );
}
