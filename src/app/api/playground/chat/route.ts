import { consoleAuthorized } from "@/server/console/auth";
import { chatCompletions } from "@/server/http/chat";
import { ApiError } from "@/server/openai/errors";

export const dynamic = "force-dynamic";

/** The playground's chat: the same chat service as /v1, authorized by the console login. */
const consoleLogin = async () => {
  if (!(await consoleAuthorized())) throw new ApiError(401, "Sign in to the console first.", { code: "console_login" });
};

export const POST = (request: Request) => chatCompletions(request, consoleLogin);
