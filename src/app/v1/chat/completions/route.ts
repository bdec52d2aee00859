import { chatCompletions } from "@/server/http/chat";

export const dynamic = "force-dynamic";

const handler = (request: Request) => chatCompletions(request);

export { handler as POST, handler as GET, handler as PUT, handler as PATCH, handler as DELETE, handler as OPTIONS };
