import "server-only";
import { createCallerFactory, router } from "./init";
import { keysRouter } from "./routers/keys";
import { modelsRouter } from "./routers/models";
import { planRouter } from "./routers/plan";
import { requestsRouter } from "./routers/requests";
import { sessionsRouter } from "./routers/sessions";
import { usageRouter } from "./routers/usage";

export const appRouter = router({
  usage: usageRouter,
  requests: requestsRouter,
  sessions: sessionsRouter,
  models: modelsRouter,
  keys: keysRouter,
  plan: planRouter,
});

export type AppRouter = typeof appRouter;

/** Calls procedures in-process (server components, tests) with a given inner context. */
export const createCaller = createCallerFactory(appRouter);
