import { playgroundChat } from "@/server/http/chat";

export const dynamic = "force-dynamic";

/** The playground's chat: the same front door and chat service as /v1, signed in by the console login. */
export const POST = (request: Request) => playgroundChat(request);
