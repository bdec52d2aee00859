// Start-up checks: validate the configuration (exit with a clear message) and warn about an open bind.
import path from "node:path";
import { parseEnv } from "./env-schema";
import { log } from "./log";
import { markInterruptedPg } from "./usage/pg-writer";
import { markInterrupted } from "./usage/writer";

const result = parseEnv(process.env);
if (!result.ok) {
  console.error(result.message);
  process.exit(1);
}
const { HOST, CLAUDE_AUTH_KEY } = result.env;
const loopback = /^(127\.\d+\.\d+\.\d+|localhost|::1|\[::1\])$/i.test(HOST);
if (!loopback && !CLAUDE_AUTH_KEY) {
  log(
    {
      level: "warn",
      msg: `listening on non-loopback address ${HOST} with no CLAUDE_AUTH_KEY: anyone who can reach it can use the API and run Claude Code`,
    },
    "stderr",
  );
}

// Requests a previous process left `running` (it was killed mid-request) become `interrupted`. On a
// shared PostgreSQL only those older than any request can last: younger ones may be another instance's.
const e = result.env;
const longest = e.SESSION_WAIT_MS + Math.max(e.CLAUDE_TIMEOUT_MS, e.OLLAMA_TIMEOUT_MS) + e.CLAUDE_TOOL_WAIT_MS + 60_000;
const warnMarked = (n: number) => {
  if (n > 0) log({ level: "warn", msg: `${n} request(s) of a previous run marked interrupted` }, "stderr");
};
const warnFailed = (err: unknown) =>
  log({ level: "warn", msg: "could not mark interrupted requests", error: String(err) }, "stderr");
if (e.DATABASE_URL) {
  void markInterruptedPg(e.DATABASE_URL, longest).then(warnMarked, warnFailed);
} else {
  try {
    warnMarked(markInterrupted(path.resolve(e.USAGE_DB_PATH)));
  } catch (err) {
    warnFailed(err);
  }
}
