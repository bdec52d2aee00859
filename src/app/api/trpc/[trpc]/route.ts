import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { toApiError } from "@/server/openai/errors";
import { type Context, createContext } from "@/server/trpc/init";
import { appRouter } from "@/server/trpc/root";

export const dynamic = "force-dynamic";

const handler = (req: Request) => {
  let ctx: Context;
  try {
    ctx = createContext(req); // the access policy: origin, Host, console login
  } catch (e) {
    return toApiError(e).toResponse();
  }
  return fetchRequestHandler({ endpoint: "/api/trpc", req, router: appRouter, createContext: () => ctx });
};

export { handler as GET, handler as POST };
