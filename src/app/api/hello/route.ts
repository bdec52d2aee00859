export const dynamic = "force-dynamic";

/**
 * Claude Code's connection probe: each `claude` process started with ANTHROPIC_BASE_URL at the
 * gateway sends `HEAD /api/hello` (its preflight check a GET). Answered at once: 200, no body, no key
 * needed, nothing recorded or logged.
 */
const hello = () => new Response(null, { status: 200, headers: { "cache-control": "no-store" } });
export const HEAD = hello;
export const GET = hello;
