import "server-only";
import fs from "node:fs";
import path from "node:path";
import { execa } from "execa";
import { env, searchPath } from "../../env";
import { claudeEnv } from "./claude-env";

export interface ClaudeBinary {
  /** The command to run (an absolute path when found). */
  path: string;
  source: "CLAUDE_BIN" | "node_modules";
}

const isExecutable = (p: string) => {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
};

export function onPath(name: string): string | null {
  for (const dir of searchPath()) {
    if (isExecutable(path.join(dir, name))) return path.join(dir, name);
  }
  return null;
}

/** The `claude` binary the Agent SDK ships in its platform package (glibc or musl build), if installed. */
function bundled(): string | null {
  const pkg = "@anthropic-ai/claude-agent-sdk";
  const { platform, arch } = process;
  const exe = platform === "win32" ? "claude.exe" : "claude";
  const names =
    platform === "linux" ? [`${pkg}-linux-${arch}`, `${pkg}-linux-${arch}-musl`] : [`${pkg}-${platform}-${arch}`];
  for (const name of names) {
    const p = path.resolve(/*turbopackIgnore: true*/ "node_modules", name, exe);
    if (isExecutable(p)) return p;
  }
  return null;
}

/**
 * CLAUDE_BIN (a path, or a name looked up on PATH), else the binary the Agent SDK ships (the version
 * it is made for); null when there is none. Passed to the SDK as `pathToClaudeCodeExecutable`.
 */
export function findClaude(): ClaudeBinary | null {
  const configured = env().CLAUDE_BIN;
  if (configured) {
    const p = configured.includes(path.sep) ? path.resolve(configured) : onPath(configured);
    return p && isExecutable(p) ? { path: p, source: "CLAUDE_BIN" } : null;
  }
  const local = bundled();
  return local ? { path: local, source: "node_modules" } : null;
}

const versions = new Map<string, Promise<string | null>>();

/** `claude --version` (cached per path), or null when it does not answer within 10 s. */
export function claudeVersion(bin: ClaudeBinary): Promise<string | null> {
  let v = versions.get(bin.path);
  if (!v) {
    v = execa(bin.path, ["--version"], {
      timeout: 10_000,
      stdin: "ignore",
      env: claudeEnv({ DISABLE_TELEMETRY: "1" }),
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
