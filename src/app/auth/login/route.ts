import { checkLogin } from "@/server/access/policy";
import { CONSOLE_COOKIE, CONSOLE_LOGIN_MS, consoleLocked, consoleToken, safeNextPath } from "@/server/console/auth";
import { env } from "@/server/env";
import { toApiError } from "@/server/openai/errors";

export const dynamic = "force-dynamic";

const redirect = (location: string, extra: Record<string, string> = {}) =>
  new Response(null, { status: 303, headers: { location, ...extra } });

export async function POST(request: Request) {
  const form = await request.formData().catch(() => null);
  // Only same-site console paths are followed after a login (no open redirect).
  const next = safeNextPath(form?.get("next") ?? null);
  let result: ReturnType<typeof checkLogin>;
  try {
    if (!consoleLocked()) return redirect(next);
    result = checkLogin(request, form?.get("key")); // the access policy: origin, Host, throttle, key
  } catch (e) {
    return toApiError(e).toResponse();
  }
  if (!result.ok) {
    // Once failures pile up, every refusal also takes up to a second to arrive: guessing gets slower.
    if (result.waitMs > 0) await new Promise((r) => setTimeout(r, Math.min(result.waitMs, 1000)));
    const wait = Math.ceil(result.waitMs / 1000);
    const q = wait > 0 ? `error=wait&wait=${wait}` : "error=1";
    return redirect(`/login?${q}&next=${encodeURIComponent(next)}`, wait > 0 ? { "retry-after": String(wait) } : {});
  }
  const key = env().CLAUDE_AUTH_KEY ?? "";
  const secure = new URL(request.url).protocol === "https:" ? "; Secure" : "";
  const maxAge = Math.floor(CONSOLE_LOGIN_MS / 1000);
  return redirect(next, {
    "set-cookie": `${CONSOLE_COOKIE}=${consoleToken(key)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure}`,
  });
}
