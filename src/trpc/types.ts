import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/trpc/root";

/** What each procedure returns, for typing UI components without restating server types. */
export type RouterOutputs = inferRouterOutputs<AppRouter>;
