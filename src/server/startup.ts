// Start-up checks: validate the configuration (exit with a clear message) and warn about an open bind.
import { parseEnv } from "./env-schema";

const result = parseEnv(process.env);
if (!result.ok) {
  console.error(result.message);
  process.exit(1);
}
const { HOST, CLAUDE_AUTH_KEY } = result.env;
const loopback = /^(127\.\d+\.\d+\.\d+|localhost|::1|\[::1\])$/i.test(HOST);
if (!loopback && !CLAUDE_AUTH_KEY) {
  console.warn(
    JSON.stringify({
      level: "warn",
      msg: `listening on non-loopback address ${HOST} with no CLAUDE_AUTH_KEY: anyone who can reach it can use the API and run Claude Code`,
    }),
  );
}
