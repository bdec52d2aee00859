// `npm start`: install what is missing, generate, build when stale, migrate, serve.
import { spawn } from "node:child_process";
import path from "node:path";
import { ensureBuild, ensureDeps, ensurePrismaClient, loadEnv, migrate, root } from "./lib.mjs";

ensureDeps();
const env = await loadEnv();
ensurePrismaClient();
ensureBuild();
migrate(env.USAGE_DB_PATH);

const next = path.join(root, "node_modules", "next", "dist", "bin", "next");
const child = spawn(process.execPath, [next, "start", "-p", String(env.PORT), "-H", env.HOST], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
});
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
