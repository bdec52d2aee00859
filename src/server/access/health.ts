/** Each Ollama host as anyone may see it: its name (no URL), whether it is up, and its models. */
function hostsSummary(hosts: unknown) {
  if (!Array.isArray(hosts)) return undefined;
  return hosts.map((h: Record<string, unknown>) => ({ name: h.name, state: h.state, models: h.models }));
}

/**
 * What /health shows to someone who is not the admin: whether things work, not where they are
 * (no binary path, versions, URLs or error texts). The admin (bearer or console login) sees it all.
 */
export function healthSummary(body: Record<string, unknown>): Record<string, unknown> {
  const pick = (o: unknown, key: string) =>
    o && typeof o === "object" && key in o ? (o as Record<string, unknown>)[key] : undefined;
  return {
    status: body.status,
    version: body.version,
    uptime_s: body.uptime_s,
    database: { ok: pick(body.database, "ok") },
    claude: { found: pick(body.claude, "found") },
    ollama: { reachable: pick(body.ollama, "reachable"), hosts: hostsSummary(pick(body.ollama, "hosts")) },
    auth: body.auth,
    details: "shown to the admin only (Authorization: Bearer <CLAUDE_AUTH_KEY>, or the console login)",
  };
}
