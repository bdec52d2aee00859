import "server-only";
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { consoleAllowed, forConsole, type Principal } from "../access/policy";
import { CONSOLE_COOKIE } from "../console/auth";
import { addressOf } from "../http/context";
import { InvalidCursorError } from "../requests/cursor";

/** The inner context: everything a procedure may use. Tests build it directly for createCaller. */
export interface Context {
  /** Whether the access policy lets this caller use the console (login cookie, or an open console). */
  authorized: boolean;
  /** Who is calling (access/policy.ts). */
  principal?: Principal;
  /** The client's address (the audit log of key changes). */
  address?: string | null;
}

/**
 * The outer context, from the HTTP request: the access policy's answer for the console login.
 * Throws an ApiError (403) for another site's page or a foreign Host; the route renders it.
 */
export function createContext(request: Request): Context {
  const principal = forConsole(request, CONSOLE_COOKIE);
  const address = addressOf(request);
  return { authorized: consoleAllowed(principal), principal, address };
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
