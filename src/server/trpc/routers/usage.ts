import "server-only";
import { z } from "zod";
import { toolStats } from "../../requests/steps";
import { latestErrors, rangeOf, usageSummary } from "../../usage/analytics";
import { timeSeries } from "../../usage/series";
import { namedRows, usageByModel } from "../../usage/summary";
import { consoleProcedure, router } from "../init";

export const rangeKey = z.enum(["1h", "24h", "7d", "30d", "all"]);
const rangeInput = z.object({ range: rangeKey });

export const usageRouter = router({
  /** Tool calls of the runs in the range, by tool (the overview's tools table). */
  tools: consoleProcedure.input(rangeInput).query(({ input }) => toolStats(rangeOf(input.range))),
  summary: consoleProcedure.input(rangeInput).query(({ input }) => usageSummary(rangeOf(input.range))),
  /**
   * The chart series with what the charts need to place it: the bucket step and the span shown
   * ([from, to), the chosen range up to now; for "all" the first bucket to the end of the last).
   */
  timeSeries: consoleProcedure.input(rangeInput).query(async ({ input }) => {
    const now = Date.now();
    const range = rangeOf(input.range, now);
    const series = await timeSeries(range, 48, now);
    const points = series?.points ?? [];
    const step = series?.step ?? 0;
    const from = range.since?.getTime() ?? points[0]?.t ?? null;
    const last = points.at(-1)?.t;
    const to = range.since ? now : last != null ? last + step : null;
    return { step, from, to, points };
  }),
  /** The rows of GET /v1/usage, named as it names them (no model or provider: "unknown"). */
  byModel: consoleProcedure
    .input(rangeInput)
    .query(async ({ input }) => namedRows(await usageByModel(rangeOf(input.range)))),
  latestErrors: consoleProcedure
    .input(rangeInput.extend({ limit: z.number().int().min(1).max(100).default(10) }))
    .query(({ input }) => latestErrors(input.limit, rangeOf(input.range))),
});
