import "server-only";
import { z } from "zod";
import { latestErrors, rangeOf, usageSummary, usageTimeSeries } from "../../usage/analytics";
import { usageByModel } from "../../usage/summary";
import { consoleProcedure, router } from "../init";

export const rangeKey = z.enum(["1h", "24h", "7d", "30d", "all"]);
const rangeInput = z.object({ range: rangeKey });

export const usageRouter = router({
  summary: consoleProcedure.input(rangeInput).query(({ input }) => usageSummary(rangeOf(input.range))),
  timeSeries: consoleProcedure.input(rangeInput).query(({ input }) => usageTimeSeries(rangeOf(input.range))),
  byModel: consoleProcedure.input(rangeInput).query(({ input }) => usageByModel(rangeOf(input.range))),
  latestErrors: consoleProcedure
    .input(rangeInput.extend({ limit: z.number().int().min(1).max(100).default(10) }))
    .query(({ input }) => latestErrors(input.limit, rangeOf(input.range))),
});
