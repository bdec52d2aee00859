/**
 * The `claude` processes the gateway starts make no upstream call the client did not ask for: one
 * Anthropic API call per turn (no session-title call, no connection warm-up), none from an idle spare.
 * The gateway runs WITHOUT CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC and DISABLE_TELEMETRY in its own
 * environment (the other Claude tests set them), so what is proven here is what it sets for its children.
 * Prompts are longer than 10 characters: shorter ones never get a title call.
 */
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RecordedRequest, systemText } from "../fakes/anthropic";
import { type ClaudeSetup, claudePids, processStats, startClaudeGateway } from "../helpers/claude";
import { eventually } from "../helpers/gateway";

/** How long after a turn's answer a background call would still count as the turn's. */
const SETTLE_MS = 1_500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const short = (r: RecordedRequest) => `${r.method} ${r.path}`;
const detail = (calls: RecordedRequest[]) =>
  calls
    .map((r) => `${short(r)} max_tokens=${r.body?.max_tokens} system=${systemText(r.body).slice(0, 160)}`)
    .join("\n");

describe("upstream calls of the claude processes (gateway without the switches in its own environment)", () => {
  let c: ClaudeSetup;
  beforeAll(async () => {
    c = await startClaudeGateway({
      CLAUDE_SPARES: "1",
      CLAUDE_WARM_SESSIONS: "2",
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: undefined,
      DISABLE_TELEMETRY: undefined,
    });
  });
  afterAll(async () => {
    await c?.close();
  });

  /** The upstream requests made while `turn` ran and in the SETTLE_MS after it. */
  async function callsOf(turn: () => Promise<unknown>): Promise<RecordedRequest[]> {
    const from = c.fake.requests.length;
    await turn();
    await sleep(SETTLE_MS);
    return c.fake.requests.slice(from);
  }

  const ask = (content: string, o: { sessionId?: string; model?: string; system?: string } = {}) =>
    c.gw.openai(o.sessionId ? { sessionId: o.sessionId } : {}).chat.completions.create({
      model: o.model ?? "claude-code",
      messages: [...(o.system ? [{ role: "system" as const, content: o.system }] : []), { role: "user", content }],
    });

  async function expectOneCall(turn: () => Promise<unknown>) {
    const calls = await callsOf(turn);
    expect(calls.map(short), detail(calls)).toEqual(["POST /v1/messages"]);
  }

  it("an idle ready spare makes no call at all, and carries the switches in its environment", async () => {
    expect(c.env.CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC).toBeUndefined();
    const spare = await eventually(async () => {
      const s = await processStats(c.gw);
      return s.spare === 1 ? s.pids.spare[0] : undefined;
    }, 15_000);
    await sleep(3_000);
    expect(c.fake.requests.map(short), detail(c.fake.requests)).toEqual([]);
    expect(claudePids(c.configDir)).toContain(spare);
    const environ = fs.readFileSync(`/proc/${spare}/environ`, "utf8").split("\0");
    expect(environ).toContain("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1");
  });

  it("a stateless turn makes exactly one call, on a spare and on a new process", async () => {
    await expectOneCall(() => ask("please explain the walrus operator in python"));
    // Another model: the pre-claimed spare cannot serve it, a new process does.
    await expectOneCall(() => ask("please explain the spaceship operator in perl", { model: "haiku" }));
  });

  it("each turn of a session makes exactly one call: first, warm and resumed turns", async () => {
    const sessionId = `calls-${Date.now()}`;
    await expectOneCall(() => ask("the first question is about rust lifetimes", { sessionId }));
    const [warm] = (await processStats(c.gw)).pids.idle;
    expect(warm).toBeDefined();
    for (const topic of ["haskell monads", "javascript generators", "go channels"]) {
      await expectOneCall(() => ask(`the next question is about ${topic}`, { sessionId }));
    }
    expect((await processStats(c.gw)).pids.idle).toContain(warm);
    // A new system prompt: the session resumes in a new process.
    await expectOneCall(() => ask("a question with new instructions now", { sessionId, system: "Answer briefly." }));
    expect((await processStats(c.gw)).pids.idle).not.toContain(warm);
  });
});
