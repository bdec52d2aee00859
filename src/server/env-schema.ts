/**
 * The configuration schema: every environment variable cc-bridge reads, with its default.
 * Pure (no "server-only"), so the launcher in scripts/ validates with the very same schema.
 */
import os from "node:os";
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

/**
 * MODEL_ALIASES: names clients may send for a model. An alias is an exact name (`gpt-4o=claude-code`)
 * or a pattern, a name ending in `*` (`claude-haiku-*=ollama/qwen3:4b`), which stands for every name
 * that starts with what comes before the `*`. Exact aliases win over patterns; among patterns the
 * longest prefix wins. One level: a target is a model, never itself an alias, and is not looked up
 * again (a target a pattern matches runs as it is). (Here, not in a module of its own: the launcher
 * transpiles this one file alone.)
 */
export interface ModelAlias {
  /** As configured: `gpt-4o`, or `claude-haiku-*` for a pattern. */
  alias: string;
  /** The model that runs. */
  target: string;
  /** For a pattern only: the alias without its trailing `*`. */
  prefix?: string;
}

const MAX_NAME = 256;

/** Parses `alias=model,pattern*=model`; a message naming the first bad item otherwise. */
export function parseAliases(value: string): { ok: true; aliases: ModelAlias[] } | { ok: false; message: string } {
  const aliases: ModelAlias[] = [];
  const items = value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const item of items) {
    const eq = item.indexOf("=");
    const alias = item.slice(0, eq).trim();
    const target = item.slice(eq + 1).trim();
    if (eq < 0 || !alias || !target || alias.length > MAX_NAME || target.length > MAX_NAME) {
      return { ok: false, message: `expected alias=model pairs separated by commas, got "${item}"` };
    }
    const star = alias.indexOf("*");
    if (star >= 0 && star !== alias.length - 1) {
      return { ok: false, message: `"${alias}": a pattern has one "*", at its end (claude-haiku-*=…)` };
    }
    if (alias === "*") return { ok: false, message: `"*" would take every model name: give the pattern a prefix` };
    if (target.includes("*")) return { ok: false, message: `"${alias}" maps to "${target}": a target is a model name` };
    if (aliases.some((a) => a.alias === alias)) return { ok: false, message: `alias "${alias}" is defined twice` };
    aliases.push(star < 0 ? { alias, target } : { alias, target, prefix: alias.slice(0, -1) });
  }
  // One level: a target is never looked up again, so one that is itself an exact alias is refused (the
  // chain it suggests would not be followed). A target a pattern matches is fine: it runs as it is.
  const chained = aliases.find((a) => aliases.some((b) => b.prefix === undefined && b.alias === a.target));
  if (chained)
    return { ok: false, message: `"${chained.alias}" maps to "${chained.target}", which is itself an alias` };
  return { ok: true, aliases };
}

/**
 * The model `model` stands for, or null when no alias names it: an exact alias first, else the
 * pattern with the longest matching prefix. Linear in the configured aliases' length (string
 * comparisons and prefix tests, no regular expression).
 */
export function aliasTarget(aliases: readonly ModelAlias[], model: string): string | null {
  let best: ModelAlias | undefined;
  for (const a of aliases) {
    if (a.prefix === undefined) {
      if (a.alias === model) return a.target;
    } else if (a.prefix.length > (best?.prefix?.length ?? -1) && model.startsWith(a.prefix)) {
      best = a;
    }
  }
  return best?.target ?? null;
}

/** MODEL_ALIASES: `alias=model` and `prefix*=model` pairs, one level. */
const aliases = z
  .string()
  .default("")
  .transform((v, ctx) => {
    const parsed = parseAliases(v);
    if (parsed.ok) return parsed.aliases;
    ctx.addIssue({ code: "custom", message: parsed.message });
    return z.NEVER;
  });

/**
 * CLAUDE_MAX_PROCESSES by default: 12 (the defaults' own bound: 4 warm sessions, 4 running turns, 4
 * ready processes), or fewer where half the machine's memory does not hold 12 processes of 300 MiB
 * (measured: an idle `claude` holds about 200 MiB resident, one reused for many stateless requests
 * up to about 310 MiB, `npm run bench:claude` and claude-code/pool-ready.ts); at least 2.
 */
function maxProcessesDefault(): number {
  const perProcess = 300 * 2 ** 20;
  return Math.max(2, Math.min(12, Math.floor(os.totalmem() / 2 / perProcess)));
}

/**
 * CLAUDE_PLAN_GUARD: `off`; `no-overage` (refuse when the plan is exhausted or a turn would run on paid
 * overage); or a number above 0 up to 1 (that too, and refuse at or above that utilization of any window).
 */
export type PlanGuard = "off" | "no-overage" | number;

const planGuard = z
  .string()
  .default("off")
  .transform((v, ctx): PlanGuard => {
    const s = v.trim().toLowerCase();
    if (s === "" || s === "off") return "off";
    if (s === "no-overage") return "no-overage";
    const n = /^(0?\.\d+|1(\.0*)?)$/.test(s) ? Number(s) : Number.NaN;
    if (n > 0 && n <= 1) return n;
    ctx.addIssue({
      code: "custom",
      message: `expected off, no-overage, or a utilization above 0 up to 1 (e.g. 0.9), got "${v}"`,
    });
    return z.NEVER;
  });

/** OTLP over HTTP: protobuf or JSON (gRPC is not served). */
const otlpProtocol = z
  .string()
  .optional()
  .transform((v, ctx) => {
    const s = v?.trim().toLowerCase();
    if (!s) return undefined;
    if (s === "http/protobuf" || s === "http/json") return s;
    ctx.addIssue({ code: "custom", message: `expected http/protobuf or http/json, got "${v}"` });
    return z.NEVER;
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
  /** Ready processes (spares and cleared ones) at most, however high the demand (see claude-code/demand.ts). */
  CLAUDE_SPARES_MAX: int(4, 0, 256),
  /**
   * Stateless requests one process serves (cleared after each) before it is ended: a process grows
   * with use (measured: 215 MiB after 1, 250 after 10, 290 after 50, about 310 from 100 on).
   */
  CLAUDE_REUSE_MAX_REQUESTS: int(100, 1, 100_000),
  /** Every `claude` process at most (running, paused, idle, ready, starting); see maxProcessesDefault. */
  CLAUDE_MAX_PROCESSES: int(maxProcessesDefault(), 1, 4_096),
  /** Processes starting at once at most: measured, two start as fast as one on two cores, a third slows them all. */
  CLAUDE_MAX_STARTING: int(Math.max(1, os.availableParallelism()), 1, 256),
  CLAUDE_TOOL_WAIT_MS: int(10 * 60_000, 1_000, 24 * 3_600_000),
  CLAUDE_KEEP_BUILTIN_TOOLS: bool(false),
  /**
   * Domains a sandboxed task's commands may reach (Claude Code's `sandbox.network.allowedDomains`, `*.`
   * wildcards allowed), e.g. `registry.npmjs.org`; empty: no network for commands.
   */
  CLAUDE_SANDBOX_DOMAINS: list(""),
  /**
   * Where a session's Claude Code transcript lives: `database` (mirrored there, resumed from there on
   * any instance, removed from disk once its process ends) or `local` (Claude Code's own files only,
   * as before issue 28: resumed only where they are, kept by Claude Code's own clean-up).
   */
  CLAUDE_TRANSCRIPTS: z
    .string()
    .default("database")
    .transform((v, ctx) => {
      const s = v.trim().toLowerCase() || "database";
      if (s === "database" || s === "local") return s;
      ctx.addIssue({ code: "custom", message: `expected database or local, got "${v}"` });
      return z.NEVER;
    }),
  /**
   * More variables of the gateway's environment a `claude` process gets, besides what Claude Code needs
   * (claude-code/claude-env.ts): names, or prefixes ending in `*`. Those that look like secrets are hidden
   * from sandboxed commands.
   */
  CLAUDE_ENV_PASSTHROUGH: list(""),
  CLAUDE_PLAN_GUARD: planGuard,
  /** One Ollama host, or several separated by commas (providers/ollama/hosts.ts). */
  OLLAMA_URL: httpUrls("http://localhost:11434"),
  OLLAMA_TIMEOUT_MS: int(30 * 60_000, 1_000, 24 * 3_600_000),
  OLLAMA_CONNECT_TIMEOUT_MS: int(10_000, 100, 600_000),
  MAX_BODY_BYTES: int(25 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
  SESSION_WAIT_MS: int(5 * 60_000, 0, 24 * 3_600_000),
  /**
   * A keep-alive this often while a stream's upstream is silent: Anthropic's `ping` event, an SSE comment
   * line (`: ping`) on chat completions and on a background response's stream (proxies cut idle connections;
   * Claude Code drops a stream silent for 300 s).
   */
  STREAM_PING_MS: int(10_000, 100, 60_000),
  /** Background responses (issue 26) queued or running at once, on all instances: beyond it a 429. */
  BACKGROUND_MAX: int(64, 1, 100_000),
  /** The same, per API key (the admin key, the console and an open gateway count as one). */
  BACKGROUND_MAX_PER_KEY: int(8, 1, 100_000),
  /** The running instance renews a background run's lease this often ×3; an expired lease: `failed` (interrupted). */
  BACKGROUND_LEASE_MS: int(15_000, 1_000, 600_000),
  /** How long a finished background response keeps its stream events (for `starting_after`); 0: until it is deleted. */
  BACKGROUND_EVENTS_HOURS: int(24, 0, 100_000),
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
  /** OpenTelemetry traces (telemetry/): off unless this or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set; `/v1/traces` is added to it. */
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalString,
  /** The traces endpoint as it is (no path added); wins over OTEL_EXPORTER_OTLP_ENDPOINT. */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optionalString,
  /** `http/protobuf` (unset) or `http/json`. */
  OTEL_EXPORTER_OTLP_PROTOCOL: otlpProtocol,
  /** The traces' protocol; wins over OTEL_EXPORTER_OTLP_PROTOCOL. */
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: otlpProtocol,
  /** Headers sent to the collector, `key=value` pairs separated by commas (read by the OTLP exporter itself). */
  OTEL_EXPORTER_OTLP_HEADERS: optionalString,
  OTEL_EXPORTER_OTLP_TRACES_HEADERS: optionalString,
  /** How long one export may take (ms; read by the OTLP exporter itself); a slower collector's spans are dropped. */
  OTEL_EXPORTER_OTLP_TIMEOUT: int(10_000, 1, 600_000),
  /** The traces' `service.name`; `cc-bridge` when unset. */
  OTEL_SERVICE_NAME: optionalString,
  /** More resource attributes, `key=value` pairs separated by commas. */
  OTEL_RESOURCE_ATTRIBUTES: optionalString,
  /** Spans waiting for export at most; past it spans are dropped (counted in /metrics). */
  OTEL_BSP_MAX_QUEUE_SIZE: int(2_048, 1, 1_000_000),
  /** How long spans wait to be exported in a batch (ms). */
  OTEL_BSP_SCHEDULE_DELAY: int(5_000, 1, 3_600_000),
  /** Turns tracing off whatever else is set. */
  OTEL_SDK_DISABLED: bool(false),
  /** Prompt and answer text (and tool input summaries) on the spans: off unless set, as the GenAI conventions say. */
  OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: bool(false),
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
