import { chatCompletions } from "@/server/http/chat";

export const dynamic = "force-dynamic";

/** The playground's chat: the same chat service as /v1, signed in by the console login. */
export const POST = (request: Request) => chatCompletions(request, "playground");
