// Claude Code's command sandbox (the `sandboxed` level of API keys, docs/workspaces.md) needs Debian's
// bubblewrap and socat; its tests need them too. `npm test` installs them with apt-get when they are
// missing and it runs as root; otherwise it says what to install and the sandbox tests fail on it.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const PACKAGES = { bwrap: "bubblewrap", socat: "socat" };

const onPath = (name) => (process.env.PATH ?? "").split(":").some((dir) => dir && fs.existsSync(path.join(dir, name)));

export function ensureSandboxPackages() {
  const missing = Object.entries(PACKAGES).filter(([cmd]) => !onPath(cmd));
  if (!missing.length) return;
  const pkgs = missing.map(([, pkg]) => pkg);
  const root = typeof process.getuid === "function" && process.getuid() === 0;
  if (!root || !onPath("apt-get")) {
    console.warn(`npm test: ${pkgs.join(" and ")} missing; install them (apt-get install ${pkgs.join(" ")})`);
    return;
  }
  console.log(`npm test: installing ${pkgs.join(" ")} (Claude Code's sandbox)`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  spawnSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
  const res = spawnSync("apt-get", ["install", "-y", "-qq", ...pkgs], { stdio: "inherit", env });
  if (res.status !== 0) console.warn(`npm test: installing ${pkgs.join(" ")} failed`);
}
