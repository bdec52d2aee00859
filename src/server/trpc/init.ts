import "server-only";
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { consoleAuthorized } from "../console/auth";
import { InvalidCursorError } from "../requests/cursor";

/** The inner context: everything a procedure may use. Tests build it directly for createCaller. */
export interface Context {
  authorized: boolean;
}

/** The outer context, from the HTTP request (the console login cookie). */
export async function createContext(): Promise<Context> {
  return { authorized: await consoleAuthorized() };
}

const t = initTRPC.context<Context>().create({ transformer: superjson });

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/**
 * Every console procedure needs the login when CLAUDE_AUTH_KEY is set; a cursor the server did not
 * make is the caller's mistake (400), not a server error.
 */
export const consoleProcedure = t.procedure.use(async ({ ctx, next }) => {
  if (!ctx.authorized) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to the console first." });
  const result = await next();
  if (!result.ok && result.error.cause instanceof InvalidCursorError) {
    throw new TRPCError({ code: "BAD_REQUEST", message: result.error.cause.message, cause: result.error.cause });
  }
  return result;
});
