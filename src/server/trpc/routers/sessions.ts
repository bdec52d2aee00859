import "server-only";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { listSessions, sessionTranscript } from "../../sessions/queries";
import { consoleProcedure, router } from "../init";

export const sessionsRouter = router({
  list: consoleProcedure
    .input(
      z.object({
        cursor: z.string().nullish(),
        limit: z.number().int().min(1).max(200).default(50),
        provider: z.string().max(50).optional(),
      }),
    )
    .query(({ input }) => listSessions(input)),
  transcript: consoleProcedure.input(z.object({ id: z.string().min(1).max(128) })).query(async ({ input }) => {
    const found = await sessionTranscript(input.id);
    if (!found) throw new TRPCError({ code: "NOT_FOUND", message: `No session ${input.id}.` });
    return found;
  }),
});
