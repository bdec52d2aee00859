// What docs/configuration.md says about each variable of src/server/env-schema.ts, by topic, for
// scripts/gen-config-doc.mjs (`npm run docs:config`). Names and defaults come from the schema itself.
//
// A variable's meaning is, first found: `meaning` here; the schema's `.describe("…")`; the `/** … */`
// comment right above it in env-schema.ts. A variable listed in no topic goes to the topic with the
// longest of the `prefixes` that match its name, else to "Other". `unset` words an absent default ("(unset: no auth)"),
// `note` a default's value ("`0` (keep all)"); `default` words a default that depends on the machine
// (the generator refuses it on any other). Durations (`_MS`) and sizes (`_BYTES`) are spelled out.

/** @type {import("./gen-config-doc.mjs").Topic[]} */
export const topics = [
  {
    title: "Server and access",
    intro:
      "Where the gateway listens and who may call it: [API keys](keys.md), [Browser safety](api.md#browser-safety), [Metrics](operations.md#metrics).",
    prefixes: [],
    vars: {
      PORT: { meaning: "port to listen on" },
      HOST: { meaning: "address to bind; a non-loopback address without `CLAUDE_AUTH_KEY` logs a warning" },
      CLAUDE_AUTH_KEY: {
        unset: "no auth",
        meaning:
          "the admin key: when set, every `/v1/*` request needs it or an API key as `Authorization: Bearer <key>`",
      },
      METRICS_KEY: {
        meaning: "bearer key for `GET /metrics`; unset: `CLAUDE_AUTH_KEY` protects it (open when neither is set)",
      },
      ALLOWED_HOSTS: {
        meaning:
          "while bound to a loopback `HOST`, further `Host` names served (e.g. a reverse proxy's); `*` turns the check off",
      },
      TRUST_PROXY: {
        meaning:
          "take the client address from `X-Forwarded-For` (set by your proxy); else the socket's address is recorded",
      },
      MAX_BODY_BYTES: { meaning: "largest request body; larger ones get 413" },
      DIRECT_ROUTES: {
        meaning:
          "serve the API's fixed paths straight from their route handlers; `false`: all through Next.js (half the throughput)",
      },
    },
  },
  {
    title: "Storage",
    intro: "SQLite by default; one PostgreSQL database for several instances: [Scaling out](postgresql.md).",
    prefixes: [/^DATABASE_/, /^USAGE_DB/],
    vars: {
      USAGE_DB_PATH: { meaning: "the SQLite database (parent folders are created)" },
      DATABASE_URL: {
        unset: "SQLite",
        meaning:
          "`postgres://…`: use that PostgreSQL database instead of SQLite (several instances share it; see [Scaling out](postgresql.md))",
      },
      DATABASE_POOL_SIZE: { meaning: "most PostgreSQL connections per instance (with `DATABASE_URL`)" },
    },
  },
  {
    title: "Records, logs and retention",
    intro: "What is kept of each request, for how long, and what is logged: [Operating cc-bridge](operations.md).",
    prefixes: [/^RETENTION_/, /^STORE_CONTENT/, /^LOG_/],
    vars: {
      LOG_REQUESTS: { meaning: "one JSON log line per request on stdout" },
      STORE_CONTENT: {
        meaning:
          "keep each request's prompt and answer (shown in the console) and its steps' input summaries and paths; `false` keeps figures only (the steps' tools, outcomes and timings stay)",
      },
      RETENTION_DAYS: {
        note: "keep all",
        meaning:
          "delete request records, their contents, stored responses and sessions idle longer than this (rollups, key spend stay)",
      },
      STORE_CONTENT_DAYS: {
        note: "as long as the record",
        meaning:
          "drop the stored prompts and answers (and the steps' input summaries and paths) of requests older than this, sooner than the records themselves",
      },
      RETENTION_INTERVAL_MS: {
        meaning: "how often each instance runs retention (the first run is a few seconds after start)",
      },
    },
  },
  {
    title: "Tracing (OpenTelemetry)",
    intro:
      "Traces of every request, Claude Code's turns, model calls and tool calls, sent over OTLP/HTTP; off unless an endpoint is set: [What the agent did](agent-steps.md#tracing). The standard `OTEL_*` names; the OTLP exporter reads the endpoints, headers and timeout itself.",
    prefixes: [/^OTEL_/],
    vars: {
      OTEL_EXPORTER_OTLP_ENDPOINT: {
        unset: "tracing off",
        meaning: "the collector's base URL (`http://collector:4318`); traces go to its `/v1/traces`",
      },
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: {
        unset: "from OTEL_EXPORTER_OTLP_ENDPOINT",
        meaning: "the traces URL as it is (no path added); wins over `OTEL_EXPORTER_OTLP_ENDPOINT`",
      },
      OTEL_EXPORTER_OTLP_PROTOCOL: {
        unset: "http/protobuf",
        meaning: "`http/protobuf` or `http/json` (gRPC is not served)",
      },
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: {
        unset: "OTEL_EXPORTER_OTLP_PROTOCOL",
        meaning: "the traces' protocol; wins over `OTEL_EXPORTER_OTLP_PROTOCOL`",
      },
      OTEL_EXPORTER_OTLP_HEADERS: {
        meaning: "headers for the collector, `key=value` pairs separated by commas (`authorization=Bearer%20x`)",
      },
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: { meaning: "headers for the traces endpoint only; added to the others" },
      OTEL_EXPORTER_OTLP_TIMEOUT: {
        meaning: "longest export (ms); a collector slower than this has its spans dropped (counted in /metrics)",
      },
      OTEL_SERVICE_NAME: { unset: "cc-bridge", meaning: "the traces' `service.name`" },
      OTEL_RESOURCE_ATTRIBUTES: {
        meaning: "more resource attributes, `key=value` pairs separated by commas (`deployment.environment=prod`)",
      },
      OTEL_BSP_MAX_QUEUE_SIZE: {
        meaning:
          "spans waiting for export at most; past it new spans are dropped (`ccbridge_trace_spans_dropped_total`)",
      },
      OTEL_BSP_SCHEDULE_DELAY: { meaning: "how long spans wait to go out in one batch (ms)" },
      OTEL_SDK_DISABLED: { meaning: "`true` turns tracing off whatever else is set" },
      OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: {
        meaning:
          "put the prompt and answer (`gen_ai.input.messages`, `gen_ai.output.messages`) and the tools' input summaries on the spans; off: figures and names only",
      },
    },
  },
  {
    title: "Models",
    intro: "The model names clients may send: [Models and aliases](models.md).",
    prefixes: [/^MODELS?_/],
    vars: {
      CLAUDE_DEFAULT_MODEL: { meaning: 'the model name that means "Claude Code\'s own default model"' },
      CLAUDE_MODELS: { meaning: "further Claude model names listed by `/v1/models`" },
      MODEL_ALIASES: {
        meaning:
          "`alias=model` pairs, comma-separated (`gpt-4o=claude-code,gpt-4o-mini=ollama/qwen3:8b`): names clients may send; an alias ending in `*` is a pattern (`claude-haiku-*=ollama/qwen3:4b`, [Model aliases](models.md#model-aliases))",
      },
      MODELS_CACHE_MS: { meaning: "how long the Ollama model list (`/api/tags`) is cached" },
    },
  },
  {
    title: "Requests and sessions",
    intro:
      "How requests wait for each other and keep streams alive: [Sessions](openai-clients.md#sessions), [Anthropic clients](anthropic-clients.md).",
    prefixes: [/^SESSION_/, /^STREAM_/],
    vars: {
      SESSION_WAIT_MS: {
        meaning: "how long a request waits for an earlier one on the same session; then 409 `session_busy`",
      },
      STREAM_PING_MS: {
        meaning:
          "a keep-alive this often while a stream's upstream is silent: a `ping` event on Anthropic Messages, an SSE comment line (`: ping`) on chat completions and background responses' streams",
      },
    },
  },
  {
    title: "Background responses",
    intro:
      "`POST /v1/responses` with `background: true`: runs that outlive their request, polled, resumed and cancelled from any instance: [Long tasks](long-tasks.md).",
    prefixes: [/^BACKGROUND_/],
    vars: {
      BACKGROUND_MAX: { meaning: "background responses queued or running at once on all instances; beyond it a 429" },
      BACKGROUND_MAX_PER_KEY: {
        meaning: "the same per API key (the admin key, the console and an open gateway count as one); beyond it a 429",
      },
      BACKGROUND_LEASE_MS: {
        meaning:
          "the lease a running instance renews (every third of it); when it dies, any instance marks its runs `failed` within about this long",
      },
      BACKGROUND_EVENTS_HOURS: {
        meaning:
          "how long a finished background response keeps its stream events (for `starting_after`); its Response object stays as stored responses do",
      },
    },
  },
  {
    title: "Claude Code",
    intro:
      "The `claude` binary, where it runs and what a turn may do: [Claude Code as a backend](claude-code.md). Claude Code's own variables (its login, `CLAUDE_CONFIG_DIR`, `CLAUDE_CODE_MAX_RETRIES`…) are set in the gateway's environment: every `claude` process gets those Claude Code needs, and `CLAUDE_ENV_PASSTHROUGH` names more.",
    prefixes: [/^CLAUDE_/],
    vars: {
      CLAUDE_BIN: {
        meaning:
          "the `claude` binary (a path, or a name on `PATH`); unset: the one the Agent SDK ships in `node_modules`",
      },
      CLAUDE_WORKDIR: {
        unset: "./claude-workdir",
        meaning:
          "the admin's (and the console's, an open gateway's) workspace for Claude Code tasks; each API key works in `CLAUDE_WORKDIR/keys/<key id>` unless the admin chose another folder ([Workspaces](workspaces.md)); the default is a folder of its own (created), never the gateway's files",
      },
      CLAUDE_SKIP_PERMS: {
        meaning:
          "the admin's tasks run `unrestricted` (`bypassPermissions`, no sandbox); for API keys it only lets the admin give a key that level ([Workspaces](workspaces.md)); refused at start-up for root unless `IS_SANDBOX=1`",
      },
      CLAUDE_TRANSCRIPTS: {
        meaning:
          "`database`: a session's Claude Code transcript is mirrored to the database as it is written, resumed from there on any instance and removed from disk when its process ends; `local`: Claude Code's own files only (resumed only on the instance that has them, kept by Claude Code's own clean-up) ([Transcripts](claude-code.md#transcripts))",
      },
      CLAUDE_SYSTEM_PROMPT_MODE: {
        meaning: "`append` (after Claude Code's own system prompt) or `replace` (instead of it) for system messages",
      },
      CLAUDE_TIMEOUT_MS: {
        meaning: "longest Claude Code run, counted from its start (not its wait in the queue); then 504",
      },
      CLAUDE_TOOL_WAIT_MS: {
        meaning:
          "how long a Claude turn that called the client's function tools waits for their results; then it is ended",
      },
      CLAUDE_KEEP_BUILTIN_TOOLS: {
        meaning:
          "keep Claude Code's own tools (Bash, Read…) in requests that bring function `tools`; by default only the client's",
      },
      CLAUDE_PLAN_GUARD: {
        meaning:
          "`no-overage`: refuse Claude requests once the plan is used up (no overage); `0.9`: also at 90% of a window ([Claude plan limits](claude-code.md#claude-plan-limits-and-overage))",
      },
    },
  },
  {
    title: "Claude Code processes",
    intro: "How many `claude` processes run, wait and stay ready: [Live processes](claude-code.md#live-processes).",
    prefixes: [/^CLAUDE_(MAX_|WARM_|SPARES|REUSE_)/],
    vars: {
      CLAUDE_MAX_CONCURRENCY: {
        meaning: "most Claude Code turns running at once (idle, ready and spare processes have their own caps)",
      },
      CLAUDE_MAX_QUEUE: {
        meaning: "most requests waiting for a free run; beyond it 429 `concurrency_limit` with Retry-After",
      },
      CLAUDE_WARM_SESSIONS: {
        meaning:
          "most idle `claude` processes kept for sessions' next turns (least recently used ended first); `0`: none",
      },
      CLAUDE_WARM_IDLE_MS: {
        meaning:
          "how long a session's idle process, a cleared reusable one, or a spare beyond `CLAUDE_SPARES` the demand no longer calls for waits before it is ended",
      },
      CLAUDE_SPARES: {
        meaning:
          "`claude` processes always kept started ahead (the fewest ready processes), for a stateless request or a session's first turn; `0`: none",
      },
      CLAUDE_SPARES_MAX: {
        meaning:
          "most ready processes (spares and cleared reusable ones) kept for the recent demand of stateless requests; at or below `CLAUDE_SPARES`: no reuse ([Live processes](claude-code.md#live-processes))",
      },
      CLAUDE_REUSE_MAX_REQUESTS: {
        meaning:
          "stateless requests one process serves (cleared after each) before it is ended and replaced: a process grows with use (about 215 MiB after 1, 310 MiB from 100 on)",
      },
      CLAUDE_MAX_STARTING: {
        default: "the CPU count",
        meaning:
          "most `claude` processes starting at once (a start takes a core for about half a second; measured: two start as fast as one on two cores, a third slows them all)",
      },
      CLAUDE_MAX_PROCESSES: {
        default: "12, less on a small machine",
        meaning:
          "most `claude` processes in all (running, waiting for tools, idle, ready, spare, starting): 12, or half the machine's memory at 300 MiB a process when that is fewer; at least 2",
      },
    },
  },
  {
    title: "Ollama",
    intro: "The Ollama servers behind `ollama/<name>`: [Ollama](ollama.md).",
    prefixes: [/^OLLAMA_/],
    vars: {
      OLLAMA_URL: {
        meaning:
          "the Ollama server, or several separated by commas (see [Several Ollama hosts](ollama.md#several-ollama-hosts))",
      },
      OLLAMA_TIMEOUT_MS: { meaning: "longest Ollama run, counted from its start; then 504" },
      OLLAMA_CONNECT_TIMEOUT_MS: {
        meaning: "longest wait for a new connection to Ollama (name lookup and TCP); then 503 `upstream_unavailable`",
      },
    },
  },
];
