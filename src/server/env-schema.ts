/**
 * The configuration schema: every environment variable cc-bridge reads, with its default.
 * Pure (no "server-only"), so the launcher in scripts/ validates with the very same schema.
 */
import { z } from "zod";

const TRUE = ["1", "true", "yes", "on"];
const FALSE = ["0", "false", "no", "off"];
const bool = (def: boolean) =>
  z
    .string()
    .default(String(def))
    .transform((v, ctx) => {
      const s = v.trim().toLowerCase();
      if (s === "") return def;
      if (TRUE.includes(s)) return true;
      if (FALSE.includes(s)) return false;
      ctx.addIssue({ code: "custom", message: `expected true or false (1/0, yes/no, on/off), got "${v}"` });
      return z.NEVER;
    });

const int = (def: number, min: number, max: number) =>
  z
    .string()
    .default(String(def))
    .transform((v, ctx) => {
      const n = v.trim() === "" ? def : Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: "custom", message: `expected a whole number from ${min} to ${max}, got "${v}"` });
        return z.NEVER;
      }
      return n;
    });

/** An item of a URL list as echoed in a message: without any user:password. */
const bare = (s: string) => s.replace(/^([a-z][\w+.-]*:\/\/)?[^/@]*@/i, "$1");

/**
 * One http(s) URL, or several separated by commas (OLLAMA_URL: one Ollama host or a list of them),
 * each without its trailing slashes; kept as one string, the URLs joined by commas.
 */
const httpUrls = (def: string) =>
  z
    .string()
    .default(def)
    .transform((v, ctx) => {
      const items = (v.trim() === "" ? def : v)
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
      const out: string[] = [];
      for (const s of items) {
        let ok = false;
        try {
          const u = new URL(s);
          ok = u.protocol === "http:" || u.protocol === "https:";
        } catch {}
        if (!ok) {
          const what = items.length > 1 ? `, got "${bare(s)}" in the list` : `, got "${v}"`;
          ctx.addIssue({ code: "custom", message: `expected an http(s) URL or a comma-separated list of them${what}` });
          return z.NEVER;
        }
        const url = s.replace(/\/+$/, "");
        if (out.includes(url)) {
          ctx.addIssue({ code: "custom", message: `"${bare(url)}" is listed twice` });
          return z.NEVER;
        }
        out.push(url);
      }
      if (out.length === 0) {
        ctx.addIssue({ code: "custom", message: "expected an http(s) URL or a comma-separated list of them" });
        return z.NEVER;
      }
      return out.join(",");
    });

const list = (def: string) =>
  z
    .string()
    .default(def)
    .transform((v) =>
      v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    );

/** `alias=target,alias2=target2` (MODEL_ALIASES): one level, a target is never itself an alias. */
const aliases = z
  .string()
  .default("")
  .transform((v, ctx) => {
    const pairs: { alias: string; target: string }[] = [];
    for (const item of v
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean)) {
      const eq = item.indexOf("=");
      const alias = item.slice(0, eq).trim();
      const target = item.slice(eq + 1).trim();
      if (eq < 0 || !alias || !target || alias.length > 256 || target.length > 256) {
        ctx.addIssue({ code: "custom", message: `expected alias=model pairs separated by commas, got "${item}"` });
        return z.NEVER;
      }
      if (pairs.some((p) => p.alias === alias)) {
        ctx.addIssue({ code: "custom", message: `alias "${alias}" is defined twice` });
        return z.NEVER;
      }
      pairs.push({ alias, target });
    }
    const chained = pairs.find((p) => pairs.some((q) => q.alias === p.target));
    if (chained) {
      ctx.addIssue({
        code: "custom",
        message: `"${chained.alias}" maps to "${chained.target}", which is itself an alias`,
      });
      return z.NEVER;
    }
    return pairs;
  });

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v && v.trim() !== "" ? v : undefined));

export const envSchema = z.object({
  PORT: int(8080, 1, 65535),
  HOST: z
    .string()
    .default("127.0.0.1")
    .transform((v) => v.trim() || "127.0.0.1"),
  USAGE_DB_PATH: z
    .string()
    .default("./usage.db")
    .transform((v) => v.trim() || "./usage.db"),
  DATABASE_URL: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const s = v?.trim();
      if (!s) return undefined;
      if (/^postgres(ql)?:\/\//.test(s)) return s;
      ctx.addIssue({
        code: "custom",
        message: "expected a postgres:// or postgresql:// URL (unset: SQLite at USAGE_DB_PATH)",
      });
      return z.NEVER;
    }),
  DATABASE_POOL_SIZE: int(10, 1, 1_000),
  CLAUDE_AUTH_KEY: optionalString,
  METRICS_KEY: optionalString,
  CLAUDE_BIN: optionalString,
  CLAUDE_WORKDIR: optionalString,
  CLAUDE_SKIP_PERMS: bool(false),
  CLAUDE_DEFAULT_MODEL: z
    .string()
    .default("claude-code")
    .transform((v) => v.trim() || "claude-code"),
  CLAUDE_MODELS: list("sonnet,opus,haiku"),
  CLAUDE_MAX_CONCURRENCY: int(4, 1, 256),
  CLAUDE_MAX_QUEUE: int(64, 0, 100_000),
  CLAUDE_TIMEOUT_MS: int(30 * 60_000, 1_000, 24 * 3_600_000),
  CLAUDE_SYSTEM_PROMPT_MODE: z
    .string()
    .default("append")
    .transform((v, ctx) => {
      const s = v.trim().toLowerCase() || "append";
      if (s === "append" || s === "replace") return s;
      ctx.addIssue({ code: "custom", message: `expected append or replace, got "${v}"` });
      return z.NEVER;
    }),
  CLAUDE_WARM_SESSIONS: int(4, 0, 1_000),
  CLAUDE_WARM_IDLE_MS: int(5 * 60_000, 1_000, 24 * 3_600_000),
  CLAUDE_SPARES: int(1, 0, 64),
  CLAUDE_TOOL_WAIT_MS: int(10 * 60_000, 1_000, 24 * 3_600_000),
  CLAUDE_KEEP_BUILTIN_TOOLS: bool(false),
  /** One Ollama host, or several separated by commas (providers/ollama/hosts.ts). */
  OLLAMA_URL: httpUrls("http://localhost:11434"),
  OLLAMA_TIMEOUT_MS: int(30 * 60_000, 1_000, 24 * 3_600_000),
  OLLAMA_CONNECT_TIMEOUT_MS: int(10_000, 100, 600_000),
  MAX_BODY_BYTES: int(25 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
  SESSION_WAIT_MS: int(5 * 60_000, 0, 24 * 3_600_000),
  /** A `ping` event this often while an Anthropic Messages stream's upstream is silent (Claude Code drops one silent for 300 s). */
  STREAM_PING_MS: int(10_000, 100, 60_000),
  MODELS_CACHE_MS: int(10_000, 0, 3_600_000),
  LOG_REQUESTS: bool(true),
  DIRECT_ROUTES: bool(true),
  STORE_CONTENT: bool(true),
  RETENTION_DAYS: int(0, 0, 100_000),
  STORE_CONTENT_DAYS: int(0, 0, 100_000),
  RETENTION_INTERVAL_MS: int(3_600_000, 1_000, 7 * 24 * 3_600_000),
  ALLOWED_HOSTS: list(""),
  TRUST_PROXY: bool(false),
  MODEL_ALIASES: aliases,
});

export type Env = z.output<typeof envSchema>;

/** Parses an environment; on failure the message names every bad variable and what it expects. */
export function parseEnv(
  source: Record<string, string | undefined>,
): { ok: true; env: Env } | { ok: false; message: string } {
  const known = Object.fromEntries(Object.keys(envSchema.shape).map((k) => [k, source[k]]));
  const result = envSchema.safeParse(known);
  if (result.success) {
    const root = typeof process.getuid === "function" && process.getuid() === 0;
    if (result.data.CLAUDE_SKIP_PERMS && root && source.IS_SANDBOX !== "1") {
      return {
        ok: false,
        message:
          "cc-bridge: invalid configuration:\n  CLAUDE_SKIP_PERMS: Claude Code refuses to skip permission checks when run as root. Run the gateway as a non-root user, or, inside a container or VM that is itself the sandbox, also set IS_SANDBOX=1 (Claude Code's own switch for that case).",
      };
    }
    return { ok: true, env: result.data };
  }
  const lines = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
  return { ok: false, message: `cc-bridge: invalid configuration:\n${lines.join("\n")}` };
}
