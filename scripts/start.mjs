// `npm start`: install what is missing, generate, build when stale, migrate, then serve in this process.
import { ensureBuild, ensureDeps, ensurePrismaClient, loadEnv, migrate } from "./lib.mjs";
import { serve } from "./serve.mjs";

ensureDeps();
const env = await loadEnv();
ensurePrismaClient();
ensureBuild();
migrate(env.USAGE_DB_PATH, env.DATABASE_URL);
await serve({ port: env.PORT, host: env.HOST, directRoutes: env.DIRECT_ROUTES });

// package.json runs this file with `exec`, so npm's forwarded SIGTERM/SIGINT reach this process. Should
// npm itself go away without a signal for us (SIGKILL), stop as if told to (runs end with 503 too)
// rather than serve on as an orphan.
if (process.env.npm_lifecycle_event === "start") {
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(watch);
    process.kill(process.pid, "SIGTERM");
  }, 1_000);
  watch.unref();
}
