import "server-only";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { usageByKey } from "../../access/by-key";
import { parseCreate, parseUpdate } from "../../access/key-input";
import {
  type Actor,
  createKey,
  getKeyView,
  keyAudit,
  listKeyViews,
  revokeKey,
  rotateKey,
  updateKey,
} from "../../access/keys";
import { listKeys } from "../../access/store";
import { ApiError } from "../../openai/errors";
import { rangeOf } from "../../usage/analytics";
import { type Context, consoleProcedure, router } from "../init";
import { rangeKey } from "./usage";

/** The key service's ApiErrors as tRPC errors the console can show (400/404/409 keep their message). */
async function service<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    const code = e.status === 404 ? "NOT_FOUND" : e.status === 409 ? "CONFLICT" : "BAD_REQUEST";
    throw new TRPCError({ code, message: e.message, cause: e });
  }
}

const actor = (ctx: Context): Actor => ({ by: "console", address: ctx.address ?? null });
const id = z.object({ id: z.string().min(1).max(100) });

/** The console's keys page: the same key service as the admin API (/admin/keys). */
export const keysRouter = router({
  list: consoleProcedure.query(() => listKeyViews()),
  /** Key ids and names, for the request log's filter and the key column. */
  names: consoleProcedure.query(async () =>
    (await listKeys()).map((k) => ({ id: k.id, name: k.name, prefix: k.prefix })),
  ),
  get: consoleProcedure.input(id).query(({ input }) => service(() => getKeyView(input.id))),
  create: consoleProcedure
    .input(z.record(z.string(), z.unknown()))
    .mutation(({ input, ctx }) => service(() => createKey(parseCreate(input), actor(ctx)))),
  update: consoleProcedure
    .input(id.extend({ changes: z.record(z.string(), z.unknown()) }))
    .mutation(({ input, ctx }) => service(() => updateKey(input.id, parseUpdate(input.changes), actor(ctx)))),
  revoke: consoleProcedure.input(id).mutation(({ input, ctx }) => service(() => revokeKey(input.id, actor(ctx)))),
  rotate: consoleProcedure.input(id).mutation(({ input, ctx }) => service(() => rotateKey(input.id, actor(ctx)))),
  audit: consoleProcedure.query(() => keyAudit(100)),
  /** Spend and requests per key over a range (the overview). */
  usage: consoleProcedure.input(z.object({ range: rangeKey })).query(({ input }) => usageByKey(rangeOf(input.range))),
});
