/**
 * The examples of the README and docs/ run, as a reader would run them, against the test fakes: the
 * fake Ollama, and the real `claude` binary against the fake Anthropic API. An example is a fenced
 * block right after `<!-- example: name -->`; `http://127.0.0.1:8080` becomes the test gateway's
 * address and `ccb-…` a real key. The README's quick start is run as written (`npm start` serves the
 * README's examples, on an open gateway, as on a fresh machine); the pages' examples run against a
 * gateway with an admin key and an API key. Every example has a check of what it prints below, and
 * every check an example.
 */
import { type ChildProcess, execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type FakeAnthropic, startFakeAnthropic } from "../fakes/anthropic";
import { type FakeOllama, startFakeOllama } from "../fakes/ollama";
import { CLAUDE_BIN, type ClaudeSetup, startClaudeGateway } from "../helpers/claude";
import { type Example, examples, root } from "../helpers/markdown";
import { healthy, npmStart } from "../helpers/npm-start";
import { ADMIN, createKey } from "./keys-client";

interface Where {
  url: string;
  /** What the example's environment adds (keys). */
  env: Record<string, string>;
  /** Stands for `ccb-…` in the text. */
  key?: string;
}

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** What an example prints, and what the fakes saw, as the page promises. */
type Check = (out: string) => void;

let ollama: FakeOllama;
let scratch: string;

/** A folder of its own under the run's scratch folder. */
const dir = (...name: string[]) => {
  const p = path.join(scratch, ...name);
  fs.mkdirSync(p, { recursive: true });
  return p;
};

/** The text of an OpenAI chat-completion stream (`data:` lines, then `[DONE]`). */
function chatStreamText(out: string): string {
  expect(out.trim().endsWith("data: [DONE]")).toBe(true);
  return out
    .split("\n")
    .filter((l) => l.startsWith("data: {"))
    .map((l) => JSON.parse(l.slice(6)).choices[0]?.delta?.content ?? "")
    .join("");
}

/** The text of a Responses API stream (`event:` + `data:` pairs, `response.completed` last). */
function responseStreamText(out: string): string {
  const events = out
    .split("\n")
    .filter((l) => l.startsWith("data: "))
    .map((l) => JSON.parse(l.slice(6)));
  expect(events.at(-1)?.type).toBe("response.completed");
  return events
    .filter((e) => e.type === "response.output_text.delta")
    .map((e) => e.delta)
    .join("");
}

const lastOllamaChat = () => ollama.chats().at(-1);

const checks: Record<string, Check> = {
  "readme-curl": (out) => expect(chatStreamText(out)).toBe("Echo: Hello"),
  "readme-openai": (out) => expect(out).toBe("Echo: Hi\n"),
  "readme-anthropic": (out) => expect(out).toBe("Echo: Hi\n"),
  "readme-claude-code": (out) => {
    expect(out).toMatch(/^Echo: /);
    expect(out).toContain("Say hello");
    expect(lastOllamaChat().model).toBe("qwen3:8b");
  },
  "openai-curl": (out) => expect(JSON.parse(out).choices[0].message.content).toBe("Echo: Hello"),
  "openai-sdk": (out) => expect(out).toBe("Echo: Hi\nEcho: Count to 3"),
  "openai-session": (out) => {
    expect(out).toBe("Echo: What grows there?\n");
    // the second turn went with the first: the session's history, kept by the gateway
    const sent = lastOllamaChat().messages.map((m: any) => m.content);
    expect(sent).toEqual(["My garden is shady.", "Echo: My garden is shady.", "What grows there?"]);
  },
  "responses-curl": (out) => {
    expect(responseStreamText(out)).toBe("Echo: Hello");
    expect(lastOllamaChat().messages[0]).toEqual({ role: "system", content: "Be brief." });
  },
  "responses-sdk": (out) => expect(out).toBe("Echo: Hello\nEcho: And then?\nEcho: Count to 3"),
  "long-tasks-sdk": (out) =>
    expect(out).toBe("completed Echo: Summarize the repository\nEcho: Count to 3\ncompleted\n"),
  "embeddings-curl": (out) => {
    const body = JSON.parse(out);
    expect(body.data.map((d: any) => d.embedding.length)).toEqual([8, 8]);
  },
  "embeddings-sdk": (out) => expect(out).toMatch(/^8 \d+\n$/),
  "anthropic-sdk": (out) => expect(out).toBe("Echo: Hi\nEcho: Count to 3"),
  "claude-code-client": (out) => {
    expect(out).toMatch(/^Echo: /);
    expect(out).toContain("Say hello");
    expect(lastOllamaChat().model).toBe("qwen3:8b");
  },
  "metrics-curl": (out) => expect(out).toMatch(/^# TYPE ccbridge_requests_total counter$/m),
  "admin-create-key": (out) => {
    const body = JSON.parse(out);
    expect(body.key).toMatch(/^ccb-/);
    expect(body).toMatchObject({ name: "ci", allowed_models: ["ollama/*"], rpm_limit: 60, budget_duration: "1d" });
  },
};

/** Runs one example: `sh` in bash, `ts` (types stripped) in Node, from a folder of its own. */
async function run(e: Example, where: Where): Promise<Ran> {
  let code = e.code.replaceAll("http://127.0.0.1:8080", where.url);
  if (where.key) code = code.replaceAll("ccb-…", where.key);
  const work = dir("run", e.name);
  // `claude` on PATH is the binary the tests use, in a home and config of its own.
  const bin = dir("bin");
  if (!fs.existsSync(path.join(bin, "claude"))) fs.symlinkSync(CLAUDE_BIN, path.join(bin, "claude"));
  const env = {
    PATH: `${bin}:${process.env.PATH}`,
    HOME: dir("run", e.name, "home"),
    CLAUDE_CONFIG_DIR: dir("run", e.name, "config"),
    TMPDIR: dir("run", e.name, "tmp"),
    DISABLE_TELEMETRY: "1",
    DISABLE_AUTOUPDATER: "1",
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    CLAUDE_CODE_MAX_RETRIES: "0",
    ...where.env,
  } as unknown as NodeJS.ProcessEnv;
  let cmd: string;
  let args: string[];
  if (e.lang === "sh") {
    cmd = "bash";
    args = ["-e", "-c", code];
  } else if (e.lang === "ts") {
    // Inside the repository, so that `import "openai"` finds its node_modules, as in a reader's project.
    const file = path.join(root, "test-artifacts", "docs-examples", `${e.name}.mjs`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const js = ts.transpileModule(code, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    fs.writeFileSync(file, js);
    cmd = process.execPath;
    args = [file];
  } else throw new Error(`${e.file}:${e.line}: no runner for a \`${e.lang}\` example`);
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: work, env, timeout: 90_000, encoding: "utf8" }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ).stdin?.end();
  });
}

const all = examples();
const QUICK_START = "quick-start";
const inReadme = [...all.values()].filter((e) => e.file === "README.md" && e.name !== QUICK_START);
const inDocs = [...all.values()].filter((e) => e.file !== "README.md");

function itRuns(e: Example, where: () => Where) {
  it(`${e.name} (${e.file}:${e.line}) runs and prints what it should`, async () => {
    const check = checks[e.name];
    if (!check) throw new Error(`example "${e.name}" has no check in this file: add one`);
    const ran = await run(e, where());
    expect(ran.code, `${ran.stderr}\n${ran.stdout}`).toBe(0);
    check(ran.stdout);
  });
}

beforeAll(async () => {
  scratch = fs.mkdtempSync(path.join(inject("tmpRoot"), "docs-examples-"));
  ollama = await startFakeOllama({ models: ["qwen3:8b", "qwen3:4b", "nomic-embed-text:latest"] });
});
afterAll(async () => {
  await ollama?.close();
});

it("every example has a check, every check an example, and the quick start is marked", () => {
  expect([...all.keys()].filter((n) => n !== QUICK_START && !checks[n])).toEqual([]);
  expect(Object.keys(checks).filter((n) => !all.has(n))).toEqual([]);
  expect(all.get(QUICK_START)?.file).toBe("README.md");
});

describe("the README: its quick start, then its examples on the gateway `npm start` serves", () => {
  let server: ChildProcess | undefined;
  let anthropic: FakeAnthropic;
  let url = "";

  beforeAll(async () => {
    anthropic = await startFakeAnthropic();
    const lines = (all.get(QUICK_START)?.code ?? "").trim().split("\n");
    // `npm test` is what CI runs (.ci/run); it cannot run inside itself.
    expect(lines).toEqual(["npm start", "npm test"]);
    // A fresh machine: no key, the default database file (here in a folder of its own) and the
    // `claude` the Agent SDK ships; only the upstreams are the fakes.
    const l = await npmStart({
      HOME: dir("npm-home"),
      npm_config_update_notifier: "false",
      USAGE_DB_PATH: path.join(dir("quick-start"), "usage.db"),
      OLLAMA_URL: ollama.url,
      CLAUDE_WORKDIR: dir("quick-start", "work"),
      CLAUDE_CONFIG_DIR: dir("quick-start", "config"),
      TMPDIR: dir("quick-start", "tmp"),
      ANTHROPIC_BASE_URL: anthropic.url,
      ANTHROPIC_API_KEY: "sk-test-fake",
      DISABLE_TELEMETRY: "1",
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      CLAUDE_CODE_MAX_RETRIES: "0",
      NEXT_TELEMETRY_DISABLED: "1",
    });
    server = l.child;
    url = l.url;
    await healthy(l);
    // `npm test` is what CI runs: the README's command is the one .ci/run runs.
    expect(fs.readFileSync(path.join(root, ".ci/run"), "utf8")).toMatch(/^npm test$/m);
  }, 120_000);

  afterAll(async () => {
    const running = () => server?.exitCode === null && server.signalCode === null;
    if (server?.pid && running()) {
      // The launcher's process group: npm, the launcher and Next.js (a signal to npm stops them all).
      const exited = new Promise((r) => server?.once("exit", r));
      process.kill(-server.pid, "SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (running()) process.kill(-server.pid, "SIGKILL");
    }
    await anthropic?.close();
  });

  it("npm start serves the console and the API on the address the README names", async () => {
    const page = await fetch(`${url}/dashboard`);
    expect(page.status).toBe(200);
    expect((await (await fetch(`${url}/v1/models`)).json()).data.map((m: any) => m.id)).toContain("ollama/qwen3:8b");
  });

  for (const e of inReadme) itRuns(e, () => ({ url, env: {} }));
});

describe("the pages' examples, on a gateway with an admin key and an API key", () => {
  let c: ClaudeSetup;
  let key = "";

  beforeAll(async () => {
    c = await startClaudeGateway({ OLLAMA_URL: ollama.url, CLAUDE_AUTH_KEY: ADMIN });
    key = (await createKey(c.gw, { name: "docs examples" })).key;
  }, 120_000);
  afterAll(async () => {
    await c?.close();
  });

  for (const e of inDocs) {
    itRuns(e, () => ({
      url: c.gw.url,
      key,
      env: { CC_BRIDGE_KEY: key, CLAUDE_AUTH_KEY: ADMIN, METRICS_KEY: ADMIN },
    }));
  }
});
