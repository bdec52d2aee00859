import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { checkOrigin } from "@/server/http/origin";
import { toApiError } from "@/server/openai/errors";
import { createContext } from "@/server/trpc/init";
import { appRouter } from "@/server/trpc/root";

export const dynamic = "force-dynamic";

const handler = (req: Request) => {
  try {
    checkOrigin(req.headers);
  } catch (e) {
    return toApiError(e).toResponse();
  }
  return fetchRequestHandler({ endpoint: "/api/trpc", req, router: appRouter, createContext });
};

export { handler as GET, handler as POST };
