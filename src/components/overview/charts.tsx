"use client";
import {
  Bar,
  BarChart,
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
import { axisTicks, pivot } from "./series";

export type Series = RouterOutputs["usage"]["timeSeries"];
export type SeriesPoint = Series["points"][number];

const axis = { stroke: "#71717a", fontSize: 11 };
const tooltipStyle = { backgroundColor: "#18181b", border: "1px solid #3f3f46", fontSize: 12 };
const when = (t: unknown) => new Date(Number(t)).toLocaleString("en-GB", { dateStyle: "short", timeStyle: "short" });

function Panel({
  title,
  testId,
  loading,
  empty,
  children,
}: {
  title: string;
  testId: string;
  loading: boolean;
  empty: boolean;
  children: React.ReactNode;
}) {
  return (
    <figure
      className="relative rounded-lg border border-zinc-800 bg-zinc-900/60 p-4"
      data-testid={testId}
      aria-busy={loading}
    >
      <figcaption className="mb-2 text-sm font-medium text-zinc-300">{title}</figcaption>
      <div className="h-56">{children}</div>
      {(loading || empty) && (
        <div className="pointer-events-none absolute inset-0 top-10 flex items-center justify-center text-sm text-zinc-500">
          {loading ? "Loading…" : "No requests in this range."}
        </div>
      )}
    </figure>
  );
}

/** Stacked bars per bucket: counts are whole numbers per bucket, not a smooth curve. */
function Stacked({
  series,
  value,
  format,
}: {
  series: Series;
  value: (p: SeriesPoint) => number;
  format: (n: number) => string;
}) {
  const { rows, providers } = pivot(series, value, true);
  const x = axisTicks(series);
  return (
    <ResponsiveContainer width="100%" height="100%">
      <BarChart data={rows} barCategoryGap={1}>
        <CartesianGrid stroke="#27272a" vertical={false} />
        <XAxis
          dataKey="t"
          type="number"
          scale="time"
          domain={x.domain}
          ticks={x.ticks}
          tickFormatter={x.format}
          padding={{ left: 8, right: 8 }}
          {...axis}
        />
        <YAxis tickFormatter={format} width={48} allowDecimals={false} {...axis} />
        <Tooltip contentStyle={tooltipStyle} labelFormatter={when} formatter={(v) => format(Number(v))} />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        {providers.map((p) => (
          <Bar key={p} dataKey={p} stackId="1" fill={colorOf(p)} isAnimationActive={false} />
        ))}
      </BarChart>
    </ResponsiveContainer>
  );
}

export function UsageCharts({ series, loading }: { series: Series | undefined; loading: boolean }) {
  const s: Series = series ?? { step: 0, from: null, to: null, points: [] };
  const empty = !loading && s.points.length === 0;
  const latency = pivot(s, (p) => p.avgLatencyMs, false);
  const x = axisTicks(s);
  return (
    <section aria-label="Charts" className="grid gap-3 lg:grid-cols-3">
      <Panel title="Requests by provider" testId="chart-requests" loading={loading} empty={empty}>
        <Stacked series={s} value={(p) => p.requests} format={fmtCompact} />
      </Panel>
      <Panel title="Tokens by provider" testId="chart-tokens" loading={loading} empty={empty}>
        <Stacked series={s} value={(p) => p.totalTokens} format={fmtCompact} />
      </Panel>
      <Panel title="Average latency" testId="chart-latency" loading={loading} empty={empty}>
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={latency.rows}>
            <CartesianGrid stroke="#27272a" vertical={false} />
            <XAxis
              dataKey="t"
              type="number"
              scale="time"
              domain={x.domain}
              ticks={x.ticks}
              tickFormatter={x.format}
              padding={{ left: 8, right: 8 }}
              {...axis}
            />
            <YAxis tickFormatter={(v) => fmtMs(Number(v))} width={56} {...axis} />
            <Tooltip contentStyle={tooltipStyle} labelFormatter={when} formatter={(v) => fmtMs(Number(v))} />
            <Legend wrapperStyle={{ fontSize: 12 }} />
            {latency.providers.map((p) => (
              <Line
                key={p}
                type="linear"
                dataKey={p}
                stroke={colorOf(p)}
                dot={{ r: 2, fill: colorOf(p) }}
                connectNulls={false}
                isAnimationActive={false}
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </Panel>
    </section>
  );
}
