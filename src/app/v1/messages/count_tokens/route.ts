import { countTokens } from "@/server/http/messages";

export const dynamic = "force-dynamic";

export { countTokens as POST, countTokens as GET, countTokens as PUT, countTokens as PATCH, countTokens as DELETE };
