import { checkLogout } from "@/server/access/policy";
import { CONSOLE_COOKIE } from "@/server/console/auth";
import { toApiError } from "@/server/openai/errors";

export const dynamic = "force-dynamic";

export async function POST(request: Request) {
  try {
    checkLogout(request); // another site's page may not sign the console out
  } catch (e) {
    return toApiError(e).toResponse();
  }
  return new Response(null, {
    status: 303,
    headers: {
      location: "/login",
      "set-cookie": `${CONSOLE_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`,
    },
  });
}
