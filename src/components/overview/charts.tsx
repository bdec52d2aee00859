"use client";
import {
  Area,
  AreaChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import type { RouterOutputs } from "@/trpc/types";
import { colorOf, fmtCompact, fmtMs } from "../format";

export type SeriesPoint = RouterOutputs["usage"]["timeSeries"][number];

type Row = Record<string, number> & { t: number };

/**
 * Long rows (t, provider, value) → one row per bucket with a column per provider. With `fill`,
 * buckets without data (the gaps between the returned ones) count as 0, so areas do not bridge them.
 */
function pivot(points: SeriesPoint[], value: (p: SeriesPoint) => number | null, fill = false) {
  const providers = [...new Set(points.map((p) => p.provider))].sort();
  const byT = new Map<number, Row>();
  for (const p of points) {
    const row = byT.get(p.t) ?? ({ t: p.t } as Row);
    const v = value(p);
    if (v != null) row[p.provider] = v;
    byT.set(p.t, row);
  }
  const ts = [...byT.keys()].sort((a, b) => a - b);
  const step = ts.slice(1).reduce((m, t, i) => Math.min(m, t - (ts[i] ?? t)), Number.POSITIVE_INFINITY);
  if (fill && Number.isFinite(step) && step > 0 && ts.length > 1) {
    const first = ts[0] ?? 0;
    const last = ts.at(-1) ?? 0;
    for (let t = first; t <= last && byT.size < 2_000; t += step) if (!byT.has(t)) byT.set(t, { t } as Row);
  }
  const rows = [...byT.values()].sort((a, b) => a.t - b.t);
  if (fill) for (const row of rows) for (const p of providers) row[p] ??= 0;
  return { rows, providers };
}

const tick = (spanMs: number) => (t: number) => {
  const d = new Date(t);
  return spanMs > 2 * 86_400_000
    ? d.toLocaleDateString("en-GB", { day: "2-digit", month: "short" })
    : d.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
};

const axis = { stroke: "#71717a", fontSize: 11 };
const tooltipStyle = { backgroundColor: "#18181b", border: "1px solid #3f3f46", fontSize: 12 };

function Panel({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <figure className="rounded-lg border border-zinc-800 bg-zinc-900/60 p-4">
      <figcaption className="mb-2 text-sm font-medium text-zinc-300">{title}</figcaption>
      <div className="h-56">{children}</div>
    </figure>
  );
}

function Stacked({
  points,
  value,
  format,
}: {
  points: SeriesPoint[];
  value: (p: SeriesPoint) => number;
  format: (n: number) => string;
}) {
  const { rows, providers } = pivot(points, value, true);
  const span = (rows.at(-1)?.t ?? 0) - (rows[0]?.t ?? 0);
  return (
    <ResponsiveContainer width="100%" height="100%">
      <AreaChart data={rows}>
        <CartesianGrid stroke="#27272a" vertical={false} />
        <XAxis dataKey="t" type="number" domain={["dataMin", "dataMax"]} tickFormatter={tick(span)} {...axis} />
        <YAxis tickFormatter={format} width={48} allowDecimals={false} {...axis} />
        <Tooltip
          contentStyle={tooltipStyle}
          labelFormatter={(t) => new Date(Number(t)).toLocaleString("en-GB")}
          formatter={(v) => format(Number(v))}
        />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        {providers.map((p) => (
          <Area
            key={p}
            type="monotone"
            dataKey={p}
            stackId="1"
            stroke={colorOf(p)}
            fill={colorOf(p)}
            fillOpacity={0.25}
            isAnimationActive={false}
          />
        ))}
      </AreaChart>
    </ResponsiveContainer>
  );
}

export function UsageCharts({ points }: { points: SeriesPoint[] }) {
  const latency = pivot(points, (p) => p.avgLatencyMs);
  const span = (latency.rows.at(-1)?.t ?? 0) - (latency.rows[0]?.t ?? 0);
  return (
    <section aria-label="Charts" className="grid gap-3 lg:grid-cols-3">
      <Panel title="Requests by provider">
        <Stacked points={points} value={(p) => p.requests} format={fmtCompact} />
      </Panel>
      <Panel title="Tokens by provider">
        <Stacked points={points} value={(p) => p.totalTokens} format={fmtCompact} />
      </Panel>
      <Panel title="Average latency">
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={latency.rows}>
            <CartesianGrid stroke="#27272a" vertical={false} />
            <XAxis dataKey="t" type="number" domain={["dataMin", "dataMax"]} tickFormatter={tick(span)} {...axis} />
            <YAxis tickFormatter={(v) => fmtMs(Number(v))} width={56} {...axis} />
            <Tooltip
              contentStyle={tooltipStyle}
              labelFormatter={(t) => new Date(Number(t)).toLocaleString("en-GB")}
              formatter={(v) => fmtMs(Number(v))}
            />
            <Legend wrapperStyle={{ fontSize: 12 }} />
            {latency.providers.map((p) => (
              <Line
                key={p}
                type="monotone"
                dataKey={p}
                stroke={colorOf(p)}
                dot={false}
                connectNulls
                isAnimationActive={false}
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </Panel>
    </section>
  );
}
