import "server-only";
import { env } from "../../env";

/**
 * The environment of a `claude` process: a list of what Claude Code needs, never the gateway's whole
 * environment (which holds DATABASE_URL with its password, METRICS_KEY, CLAUDE_AUTH_KEY, OLLAMA_URL
 * with credentials…). Passed: the names below, the prefixes below, and what the operator names in
 * CLAUDE_ENV_PASSTHROUGH (a name, or a prefix ending in `*`).
 */
const NAMES = new Set([
  "PATH",
  "HOME",
  "USER",
  "LOGNAME",
  "SHELL",
  "LANG",
  "LANGUAGE",
  "TZ",
  "TERM",
  "TMPDIR",
  "XDG_CONFIG_HOME",
  "XDG_RUNTIME_DIR",
  "CLAUDE_CONFIG_DIR",
  "IS_SANDBOX",
  // proxies and certificates
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "NO_PROXY",
  "ALL_PROXY",
  "http_proxy",
  "https_proxy",
  "no_proxy",
  "all_proxy",
  "NODE_EXTRA_CA_CERTS",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
  // Claude Code's own switches that are not CLAUDE_CODE_*
  "DISABLE_AUTOUPDATER",
  "DISABLE_TELEMETRY",
  "DISABLE_ERROR_REPORTING",
  "DISABLE_PROMPT_CACHING",
  "MAX_THINKING_TOKENS",
  "MAX_MCP_OUTPUT_TOKENS",
  "MCP_TIMEOUT",
  "MCP_TOOL_TIMEOUT",
  "BASH_DEFAULT_TIMEOUT_MS",
  "BASH_MAX_TIMEOUT_MS",
  "BASH_MAX_OUTPUT_LENGTH",
  "API_TIMEOUT_MS",
  // logins through a cloud provider (Bedrock, Vertex)
  "GOOGLE_APPLICATION_CREDENTIALS",
  "CLOUD_ML_REGION",
]);

/** Claude Code's login and settings (ANTHROPIC_*, CLAUDE_CODE_*), locales, AWS (Bedrock), Vertex regions. */
const PREFIXES = ["ANTHROPIC_", "CLAUDE_CODE_", "LC_", "AWS_", "VERTEX_REGION_"];

/**
 * The variables that carry a login or a secret: hidden from the commands a sandboxed task runs (the
 * sandbox's `credentials.envVars`, mode deny), though Claude Code itself reads them.
 */
const SECRET = /^(ANTHROPIC_|AWS_)|TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|CREDENTIAL|AUTH|COOKIE|HEADERS/i;

function wanted(name: string, extra: string[]): boolean {
  if (NAMES.has(name) || PREFIXES.some((p) => name.startsWith(p))) return true;
  return extra.some((e) => (e.endsWith("*") ? name.startsWith(e.slice(0, -1)) : name === e));
}

/** The environment for one `claude` process: the allowed variables of the gateway's, then `set` over them. */
export function claudeEnv(set: Record<string, string>): Record<string, string> {
  const extra = env().CLAUDE_ENV_PASSTHROUGH;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && wanted(k, extra)) out[k] = v;
  return { ...out, ...set };
}

/** The names in an environment that the sandbox must hide from commands. */
export const secretNames = (e: Record<string, string>): string[] => Object.keys(e).filter((k) => SECRET.test(k));
