/** A gateway running the real `claude` binary against a fake Anthropic API, isolated in temp dirs. */
import fs from "node:fs";
import path from "node:path";
import { inject } from "vitest";
import type { ClaudeProcessStats } from "../../src/server/providers/claude-code/pool-stats";
import { type FakeAnthropic, startFakeAnthropic } from "../fakes/anthropic";
import { type Gateway, startGateway } from "./gateway";

const root = path.resolve(import.meta.dirname, "../..");
/** The `claude` binary the Agent SDK ships (its platform package). */
export const CLAUDE_BIN = path.join(
  root,
  "node_modules",
  `@anthropic-ai/claude-agent-sdk-${process.platform}-${process.arch}`,
  "claude",
);

export interface ClaudeSetup {
  fake: FakeAnthropic;
  gw: Gateway;
  /** CLAUDE_CONFIG_DIR of this setup: marks its `claude` processes. */
  configDir: string;
  env: Record<string, string>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** `extra` adds to the environment below or, with `undefined`, leaves a variable out. */
export async function startClaudeGateway(extra: Record<string, string | undefined> = {}): Promise<ClaudeSetup> {
  const fake = await startFakeAnthropic();
  const dir = fs.mkdtempSync(path.join(inject("tmpRoot"), "claude-"));
  const sub = (name: string) => {
    const p = path.join(dir, name);
    fs.mkdirSync(p, { recursive: true });
    return p;
  };
  const configDir = sub("config");
  const all: Record<string, string | undefined> = {
    CLAUDE_BIN,
    CLAUDE_WORKDIR: sub("work"),
    CLAUDE_CONFIG_DIR: configDir,
    HOME: sub("home"),
    TMPDIR: sub("tmp"),
    ANTHROPIC_BASE_URL: fake.url,
    ANTHROPIC_API_KEY: "sk-test-fake",
    DISABLE_TELEMETRY: "1",
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    CLAUDE_CODE_MAX_RETRIES: "0",
    ...extra,
  };
  const env = Object.fromEntries(Object.entries(all).filter((e): e is [string, string] => e[1] !== undefined));
  const setup: ClaudeSetup = {
    fake,
    gw: await startGateway(env),
    configDir,
    env,
    async restart() {
      await setup.gw.stop();
      setup.gw = await startGateway(env, setup.gw.dbPath);
    },
    async close() {
      await setup.gw.stop();
      await fake.close();
    },
  };
  return setup;
}

/** The pids of running processes the gateway started for this setup (claude and its children). */
export function claudePids(configDir: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = fs.readFileSync(`/proc/${entry}/environ`, "utf8");
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      if (stat.split(") ")[1]?.startsWith("Z")) continue; // a zombie is already dead
      if (!environ.split("\0").includes(`CLAUDE_CONFIG_DIR=${configDir}`)) continue;
      // The gateway has the same environment: count only what it started.
      if (fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").includes("next")) continue;
      pids.push(Number(entry));
    } catch {}
  }
  return pids;
}

/** The `claude` processes themselves: each leads its group (what it starts, such as its sandbox's `socat`, is in it). */
export const claudeLeaders = (configDir: string): number[] => claudePids(configDir).filter((p) => groupOf(p) === p);

/** A process's group id (Linux /proc), or -1 when it is gone. */
export function groupOf(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.split(") ")[1]?.split(" ")[2] ?? -1);
  } catch {
    return -1;
  }
}

/** What the gateway's /health reports about its live `claude` processes (`admin`: CLAUDE_AUTH_KEY, when set). */
export async function processStats(gw: { url: string }, admin?: string): Promise<ClaudeProcessStats> {
  const headers: Record<string, string> = admin ? { authorization: `Bearer ${admin}` } : {};
  const body = (await (await fetch(`${gw.url}/health`, { headers })).json()) as any;
  return body.claude.processes;
}

/**
 * The `claude` processes of a setup that serve (or are left over from) a turn: every process it
 * started except its ready spares, its sessions' idle processes and the cleared, reusable ones, as
 * /health names them.
 */
export async function turnPids(c: ClaudeSetup): Promise<number[]> {
  const { pids } = await processStats(c.gw);
  const pooled = new Set([...pids.spare, ...pids.idle, ...pids.reusable]);
  // What a pooled process started in its group (the `socat` bridge of Claude Code's sandbox) is pooled too.
  return claudePids(c.configDir).filter((p) => !pooled.has(p) && !pooled.has(groupOf(p)));
}
