/**
 * No MaxListenersExceededWarning for a `claude` process: a spare's process gets eight `exit` listeners
 * from the Agent SDK over its life (its prewarm, its reader and its close each wait for the exit), so
 * the gateway may add only one of its own. Exercised on a spare that serves stateless requests (cleared
 * after each) and then ends, and on a spare that serves 15 turns of a session (some concurrent) and then ends.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ClaudeSetup, claudePids, processStats, startClaudeGateway } from "../helpers/claude";
import { eventually } from "../helpers/gateway";

describe("exit listeners of a claude process", () => {
  let c: ClaudeSetup;
  beforeAll(async () => {
    c = await startClaudeGateway({ CLAUDE_SPARES: "1", CLAUDE_WARM_SESSIONS: "2" });
  });
  afterAll(async () => {
    await c?.close();
  });

  /** The ready pre-claimed spare, which a request without a system prompt takes (the demand may keep parked ones beside it). */
  const readySpare = () => eventually(async () => (await processStats(c.gw)).pids.preclaimed[0], 15_000);
  const ask = (content: string, sessionId?: string, system?: string) =>
    c.gw.openai(sessionId ? { sessionId } : {}).chat.completions.create({
      model: "claude-code",
      messages: [...(system ? [{ role: "system" as const, content: system }] : []), { role: "user", content }],
    });
  const gone = (pid: number) => eventually(() => !claudePids(c.configDir).includes(pid), 5_000);

  it("15 turns on one warm process, stateless requests on a cleared process, and both processes ended: no warning", async () => {
    // A spare that serves stateless requests, cleared after each, until one runs a shell: then it is ended.
    const second = await readySpare();
    for (let i = 0; i < 4; i++) await ask(`stateless ${i}`);
    // Cleared after each and kept (a request that came while it was still being cleared may have
    // taken the spare that replaced it, if the pool judged that sooner).
    expect((await processStats(c.gw)).pids.reusable).toContain(second);
    c.fake.setScript((req, ctx) =>
      ctx.isMain && ctx.lastUserText === "a shell" && !JSON.stringify(req.body.messages).includes("tool_result")
        ? { type: "reply", text: "", toolUses: [{ name: "Bash", input: { command: "true" } }] }
        : undefined,
    );
    const before = claudePids(c.configDir);
    await ask("a shell");
    c.fake.setScript(undefined);
    // The process that ran it (a reusable one or a spare, all alive before) is ended, not kept.
    await eventually(() => before.some((p) => !claudePids(c.configDir).includes(p)), 5_000);

    // A session's first turn: the spares started after it keep their transcript, as a session needs
    // (a stateless process keeps none). The next session's 15 turns run on such a spare.
    await eventually(async () => (await processStats(c.gw)).starting === 0, 15_000); // no spare half-started
    const boot = new Set((await processStats(c.gw)).pids.preclaimed);
    await ask("a session before", `listeners-first-${Date.now()}`);
    const first = await eventually(
      async () => (await processStats(c.gw)).pids.preclaimed.find((p) => !boot.has(p)),
      20_000,
    );
    const sid = `listeners-${Date.now()}`;
    for (let i = 0; i < 10; i++) await ask(`turn ${i}`, sid);
    await Promise.all([10, 11, 12, 13, 14].map((i) => ask(`turn ${i}`, sid)));
    // All 15 turns ran on the spare that became the session's warm process.
    expect((await processStats(c.gw)).pids.idle).toContain(first);

    // Another system prompt: the warm process is ended, the session resumes in a new one.
    await ask("turn 15", sid, "Answer briefly.");
    await gone(first);
    await new Promise((r) => setTimeout(r, 200));
    const warnings = c.gw.logs
      .join("")
      .split("\n")
      .filter((l) => l.includes("MaxListenersExceededWarning"));
    expect(warnings).toEqual([]);
  });
});
