import "server-only";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { listRequests, requestDetail } from "../../requests/queries";
import { responseIdOf } from "../../responses";
import { cancelBackground } from "../../responses/background/cancel";
import { filterOptions } from "../../usage/analytics";
import { consoleProcedure, router } from "../init";

const filter = z.object({
  model: z.string().max(200).optional(),
  provider: z.string().max(50).optional(),
  status: z.enum(["ok", "error", "cancelled", "running", "interrupted"]).optional(),
  sessionId: z.string().max(128).optional(),
  keyId: z.string().max(100).optional(),
  upstreamHost: z.string().max(300).optional(),
  tool: z.string().max(200).optional(),
  since: z.date().optional(),
  until: z.date().optional(),
});

export const requestsRouter = router({
  list: consoleProcedure
    .input(filter.extend({ cursor: z.string().nullish(), limit: z.number().int().min(1).max(200).default(50) }))
    .query(({ input }) => {
      const { cursor, limit, ...f } = input;
      return listRequests(f, { cursor, limit });
    }),
  detail: consoleProcedure.input(z.object({ id: z.string().min(1).max(64) })).query(async ({ input }) => {
    const found = await requestDetail(input.id);
    if (!found) throw new TRPCError({ code: "NOT_FOUND", message: `No request ${input.id}.` });
    return found;
  }),
  filterOptions: consoleProcedure.query(() => filterOptions()),
  /**
   * Cancels the background response a request made (the console's login is the admin's): its status
   * after, null when the request made none.
   */
  cancelBackground: consoleProcedure.input(z.object({ id: z.string().min(1).max(64) })).mutation(async ({ input }) => {
    const body = await cancelBackground(responseIdOf(input.id), "the admin (console)");
    return { status: body === null ? null : String((JSON.parse(body) as { status?: unknown }).status) };
  }),
});
