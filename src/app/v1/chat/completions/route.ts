import { chatCompletions } from "@/server/http/chat";

export const dynamic = "force-dynamic";

export const POST = chatCompletions;
export const GET = chatCompletions;
export const PUT = chatCompletions;
export const PATCH = chatCompletions;
export const DELETE = chatCompletions;
