import { CONSOLE_COOKIE, consoleToken } from "@/server/console/auth";
import { env } from "@/server/env";
import { keyMatches } from "@/server/openai/auth";

export const dynamic = "force-dynamic";

/** Only same-site paths are followed after login. */
const safeNext = (raw: FormDataEntryValue | null) =>
  typeof raw === "string" && raw.startsWith("/") && !raw.startsWith("//") ? raw : "/dashboard";

export async function POST(request: Request) {
  const form = await request.formData().catch(() => null);
  const key = env().CLAUDE_AUTH_KEY;
  const next = safeNext(form?.get("next") ?? null);
  const presented = form?.get("key");
  const location = (path: string) => new URL(path, request.url).pathname + new URL(path, request.url).search;
  if (!key) return new Response(null, { status: 303, headers: { location: location(next) } });
  if (typeof presented !== "string" || !keyMatches(presented, key)) {
    return new Response(null, {
      status: 303,
      headers: { location: location(`/login?error=1&next=${encodeURIComponent(next)}`) },
    });
  }
  const secure = new URL(request.url).protocol === "https:" ? "; Secure" : "";
  return new Response(null, {
    status: 303,
    headers: {
      location: location(next),
      "set-cookie": `${CONSOLE_COOKIE}=${consoleToken(key)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=2592000${secure}`,
    },
  });
}
