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

/** OLLAMA_URL (one URL or a comma-separated list) without any user:password. */
export const redactUrls = (raw: string): string =>
  raw
    .split(",")
    .map((s) => redactUrl(s.trim()))
    .join(",");
