import { CONSOLE_COOKIE, CONSOLE_LOGIN_MS, consoleToken, safeNextPath } from "@/server/console/auth";
import { env } from "@/server/env";
import { keyMatches } from "@/server/openai/auth";

export const dynamic = "force-dynamic";

const redirect = (location: string, cookie?: string) =>
  new Response(null, { status: 303, headers: { location, ...(cookie ? { "set-cookie": cookie } : {}) } });

export async function POST(request: Request) {
  const form = await request.formData().catch(() => null);
  const key = env().CLAUDE_AUTH_KEY;
  // Only same-site console paths are followed after a login (no open redirect).
  const next = safeNextPath(form?.get("next") ?? null);
  const presented = form?.get("key");
  if (!key) return redirect(next);
  if (typeof presented !== "string" || !keyMatches(presented, key)) {
    return redirect(`/login?error=1&next=${encodeURIComponent(next)}`);
  }
  const secure = new URL(request.url).protocol === "https:" ? "; Secure" : "";
  const maxAge = Math.floor(CONSOLE_LOGIN_MS / 1000);
  return redirect(
    next,
    `${CONSOLE_COOKIE}=${consoleToken(key)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure}`,
  );
}
