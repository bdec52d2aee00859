/** OLLAMA_URL without any user:password, for messages, logs and /health. */
export function redactUrl(raw: string): string {
  try {
    const u = new URL(raw);
    if (!u.username && !u.password) return raw;
    u.username = "";
    u.password = "";
    return u.toString().replace(/\/$/, raw.endsWith("/") ? "/" : "");
  } catch {
    // Not a URL we can parse: drop anything up to an "@" after the scheme.
    return raw.replace(/^([a-z][\w+.-]*:\/\/)?[^/@]*@/i, "$1");
  }
}
