import "server-only";
import fs from "node:fs";
import path from "node:path";
import { execa } from "execa";
import { childProcessEnv, env, searchPath } from "../../env";

export interface ClaudeBinary {
  /** The command to run (an absolute path when found). */
  path: string;
  source: "CLAUDE_BIN" | "PATH" | "node_modules";
}

const isExecutable = (p: string) => {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
};

function onPath(name: string): string | null {
  for (const dir of searchPath()) {
    if (isExecutable(path.join(dir, name))) return path.join(dir, name);
  }
  return null;
}

/** CLAUDE_BIN, else `claude` on PATH, else the one @anthropic-ai/claude-code installed; null if none. */
export function findClaude(): ClaudeBinary | null {
  const configured = env().CLAUDE_BIN;
  if (configured) {
    const p = configured.includes(path.sep) ? path.resolve(configured) : onPath(configured);
    return p && isExecutable(p) ? { path: p, source: "CLAUDE_BIN" } : null;
  }
  const fromPath = onPath("claude");
  if (fromPath) return { path: fromPath, source: "PATH" };
  const local = path.resolve("node_modules", ".bin", "claude");
  return isExecutable(local) ? { path: local, source: "node_modules" } : null;
}

const versions = new Map<string, Promise<string | null>>();

/** `claude --version` (cached per path), or null when it does not answer within 10 s. */
export function claudeVersion(bin: ClaudeBinary): Promise<string | null> {
  let v = versions.get(bin.path);
  if (!v) {
    v = execa(bin.path, ["--version"], {
      timeout: 10_000,
      stdin: "ignore",
      env: { ...childProcessEnv(), DISABLE_TELEMETRY: "1" },
      extendEnv: false,
    })
      .then((r) => r.stdout.trim().split("\n")[0] || null)
      .catch(() => {
        versions.delete(bin.path);
        return null;
      });
    versions.set(bin.path, v);
  }
  return v;
}
