/** Live `claude` processes: warm sessions, their fallbacks, ready spares, and that none is left behind. */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { conversationTexts } from "../fakes/anthropic";
import {
  CLAUDE_BIN,
  type ClaudeSetup,
  claudePids,
  processStats,
  startClaudeGateway,
  turnPids,
} from "../helpers/claude";
import { eventually } from "../helpers/gateway";

const texts = (c: ClaudeSetup) =>
  conversationTexts(c.fake.mainRequests().at(-1)?.body)
    .map((t) => t.text)
    .join("\n");
const lastUserText = (c: ClaudeSetup) => conversationTexts(c.fake.mainRequests().at(-1)?.body).at(-1)?.text;

function asker(c: ClaudeSetup, sid: string | null, model = "claude-code") {
  return (content: string, system?: string) =>
    c.gw.openai(sid ? { sessionId: sid } : {}).chat.completions.create({
      model,
      messages: [...(system ? [{ role: "system" as const, content: system }] : []), { role: "user", content }],
    });
}

/** The pid of the setup's ready spare (CLAUDE_SPARES=1), once it is ready. */
/** The ready pre-claimed spare (the demand may keep parked ones beside it). */
const readySpare = (c: ClaudeSetup) =>
  eventually(
    async () => (await processStats(c.gw)).pids.preclaimed[0],
    15_000,
    async () =>
      `no pre-claimed spare; ${JSON.stringify(await processStats(c.gw))}\n${c.gw.logs.join("").slice(-3_000)}`,
  );

/** Every pid this setup's processes had while `during` ran (sampled every 10 ms). */
async function pidsDuring<T>(c: ClaudeSetup, during: () => Promise<T>): Promise<{ result: T; seen: Set<number> }> {
  const seen = new Set<number>(claudePids(c.configDir));
  const timer = setInterval(() => {
    for (const p of claudePids(c.configDir)) seen.add(p);
  }, 10);
  try {
    return { result: await during(), seen };
  } finally {
    clearInterval(timer);
  }
}

describe("warm sessions", () => {
  let c: ClaudeSetup;
  beforeAll(async () => {
    c = await startClaudeGateway({ CLAUDE_WARM_SESSIONS: "2", CLAUDE_SPARES: "1" });
  });
  afterAll(async () => {
    await c?.close();
  });

  it("a session's next turn goes to the same process, with no new process and only the new message", async () => {
    const ask = asker(c, `warm-${Date.now()}`);
    expect((await ask("remember the walrus")).choices[0]?.message.content).toBe("Echo: remember the walrus");
    const after1 = await processStats(c.gw);
    expect(after1.idle).toBe(1);
    const [warmPid] = after1.pids.idle;
    // The replacement spare (for sessions now: the first turn's spare, if any, was one for stateless requests).
    await eventually(async () => (await processStats(c.gw)).starting === 0, 15_000);
    const before = new Set(claudePids(c.configDir));
    const { result, seen } = await pidsDuring(c, () => ask("what animal?"));
    expect(result.choices[0]?.message.content).toBe("Echo: what animal?");
    expect(
      [...seen].filter((p) => !before.has(p)),
      "a new claude process appeared",
    ).toEqual([]);
    expect((await processStats(c.gw)).pids.idle).toEqual([warmPid]);
    // Claude's own context carries the first turn; we wrote only the new message to the process.
    expect(texts(c)).toContain("Echo: remember the walrus");
    expect(lastUserText(c)).toBe("what animal?");
    expect(texts(c)).not.toContain("<conversation_history>");
  });

  it("a new model on a warm process is set with setModel; a new system prompt resumes in a new process", async () => {
    const sid = `model-${Date.now()}`;
    await asker(c, sid)("first words");
    const [pid] = (await processStats(c.gw)).pids.idle.slice(-1);
    await asker(c, sid, "haiku")("second words");
    expect(c.fake.mainRequests().at(-1)?.body.model).toMatch(/haiku/);
    expect((await processStats(c.gw)).pids.idle).toContain(pid);
    await asker(c, sid, "haiku")("third words", "You are terse.");
    const idle = (await processStats(c.gw)).pids.idle;
    expect(idle).not.toContain(pid);
    // Resumed with both earlier turns (Claude Code notes the model switch in the conversation, as its
    // /model command does).
    expect(texts(c)).toContain("Echo: first words");
    expect(texts(c)).toMatch(/second words[\s\S]*Echo: /);
    expect(JSON.stringify(c.fake.mainRequests().at(-1)?.body.system)).toContain("You are terse.");
  });

  it("evicts the least recently used idle process beyond CLAUDE_WARM_SESSIONS; the evicted session resumes in context", async () => {
    const a = asker(c, `lru-a-${Date.now()}`);
    await a("apple pie");
    await asker(c, `lru-b-${Date.now()}`)("banana");
    await asker(c, `lru-c-${Date.now()}`)("cherry");
    expect((await processStats(c.gw)).idle).toBe(2);
    expect((await a("which pie?")).choices[0]?.message.content).toBe("Echo: which pie?");
    expect(texts(c)).toContain("apple pie");
    expect(texts(c)).toContain("Echo: apple pie");
  });

  it("a warm process that was killed falls back to resume: no error, answer in context", async () => {
    const ask = asker(c, `killed-${Date.now()}`);
    await ask("the code word is quartz");
    const [pid] = (await processStats(c.gw)).pids.idle.slice(-1);
    process.kill(pid!, "SIGKILL");
    await eventually(() => !claudePids(c.configDir).includes(pid!), 3_000);
    // (This session's first turn ran on a spare, a process the pool made in another bundle's copy
    // of the provider modules: its errors must still be recognised.)
    expect((await ask("the code word?")).choices[0]?.message.content).toBe("Echo: the code word?");
    expect(texts(c)).toContain("the code word is quartz");
  });

  it("two concurrent requests on one warm session run one after the other", async () => {
    const sid = `serial-${Date.now()}`;
    await asker(c, sid)("setup");
    const n = c.fake.mainRequests().length;
    const [x, y] = await Promise.all([
      asker(c, sid)("one a b c [[fake:slow=150]]"),
      asker(c, sid)("two d e f [[fake:slow=150]]"),
    ]);
    expect([x.choices[0]?.message.content, y.choices[0]?.message.content].sort()).toEqual([
      "Echo: one a b c",
      "Echo: two d e f",
    ]);
    const calls = c.fake.mainRequests().slice(n);
    expect(calls).toHaveLength(2);
    // The second call reached Claude only after the first had been answered whole, and carries it.
    expect(JSON.stringify(calls[1]?.body.messages)).toMatch(/Echo: (one a b c|two d e f)/);
  });

  it("a client gone in the middle of a warm turn ends that process; the next turn resumes in context", async () => {
    const sid = `gone-${Date.now()}`;
    await asker(c, sid)("the colour is teal");
    const [pid] = (await processStats(c.gw)).pids.idle.slice(-1);
    const controller = new AbortController();
    const res = await fetch(`${c.gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-session-id": sid },
      body: JSON.stringify({
        model: "claude-code",
        messages: [{ role: "user", content: "slowly now a b c d e f g [[fake:slow=300]]" }],
        stream: true,
      }),
      signal: controller.signal,
    });
    await res.body!.getReader().read();
    controller.abort();
    await eventually(() => !claudePids(c.configDir).includes(pid!), 3_000);
    const r = await asker(c, sid)("the colour?");
    expect(r.choices[0]?.message.content).toBe("Echo: the colour?");
    expect(texts(c)).toContain("the colour is teal");
    expect((await processStats(c.gw)).pids.idle).not.toContain(pid);
  });
});

describe("idle expiry", () => {
  let c: ClaudeSetup;
  beforeAll(async () => {
    c = await startClaudeGateway({ CLAUDE_WARM_IDLE_MS: "1000", CLAUDE_SPARES: "0" });
  });
  afterAll(async () => {
    await c?.close();
  });

  it("ends an idle process after CLAUDE_WARM_IDLE_MS; the session's next turn resumes in context", async () => {
    const ask = asker(c, `expire-${Date.now()}`);
    await ask("the city is Lima");
    const [pid] = (await processStats(c.gw)).pids.idle;
    expect(pid).toBeDefined();
    await eventually(
      async () => (await processStats(c.gw)).idle === 0 && !claudePids(c.configDir).includes(pid!),
      5_000,
    );
    expect((await ask("the city?")).choices[0]?.message.content).toBe("Echo: the city?");
    expect(texts(c)).toContain("the city is Lima");
  });
});

describe("ready spares", () => {
  let c: ClaudeSetup;
  beforeAll(async () => {
    c = await startClaudeGateway({ CLAUDE_SPARES: "1" });
  });
  afterAll(async () => {
    await c?.close();
  });

  it("is started with the server, serves a stateless request, is cleared and serves the next; a new spare is started", async () => {
    // Started at boot, before any request asked for it.
    await eventually(() => claudePids(c.configDir).length > 0, 15_000);
    const spare = await readySpare(c);
    const result = await asker(c, null)("secret one: mango");
    expect(result.choices[0]?.message.content).toBe("Echo: secret one: mango");
    // The spare served it: it is a spare no longer.
    expect((await processStats(c.gw)).pids.spare).not.toContain(spare);
    // Cleared and kept for the same caller; another spare takes its place.
    await eventually(async () => (await processStats(c.gw)).pids.reusable.includes(spare), 5_000);
    const next = await readySpare(c);
    expect(next).not.toBe(spare);
    // The next stateless request gets the cleared process, and sees none of the first one's words.
    const r2 = await asker(c, null)("secret two: papaya");
    expect(r2.choices[0]?.message.content).toBe("Echo: secret two: papaya");
    expect(texts(c)).not.toContain("mango");
    await eventually(async () => (await processStats(c.gw)).pids.reusable.includes(spare), 5_000);
    expect(claudePids(c.configDir)).toContain(next);
  });

  it("a request with a system prompt does not take the pre-claimed spare", async () => {
    const spare = await readySpare(c);
    const r = await asker(c, null, "haiku")("x", "Answer briefly.");
    expect(r.choices[0]?.message.content).toBe("Echo: x");
    expect((await processStats(c.gw)).pids.spare).toContain(spare);
  });

  it("a request naming another model takes the pre-claimed spare, set to that model", async () => {
    const spare = await readySpare(c);
    const result = await asker(c, null, "haiku")("which model?");
    expect(result.choices[0]?.message.content).toBe("Echo: which model?");
    expect((await processStats(c.gw)).pids.spare).not.toContain(spare);
    expect(c.fake.mainRequests().at(-1)?.body.model).toMatch(/haiku/);
    // Cleared afterwards, it is kept for that model only: a request for the default model does not take it.
    await eventually(async () => (await processStats(c.gw)).pids.reusable.includes(spare), 5_000);
    await asker(c, null)("default model");
    expect(c.fake.mainRequests().at(-1)?.body.model).not.toMatch(/haiku/);
    expect((await processStats(c.gw)).pids.reusable).toContain(spare);
  });
  it("serves a session's first turn once sessions come, and becomes its warm process", async () => {
    // Spares are started for the kind of request that came last: a stateless process keeps no
    // transcript and cannot hold a session, so after a session's first turn the next spare keeps one.
    await eventually(async () => (await processStats(c.gw)).starting === 0, 15_000); // no spare half-started
    const before = new Set((await processStats(c.gw)).pids.spare);
    await asker(c, `spare-session-first-${Date.now()}`)("a session before");
    const spare = await eventually(
      async () => (await processStats(c.gw)).pids.preclaimed.find((p) => !before.has(p)),
      20_000,
    );
    const ask = asker(c, `spare-session-${Date.now()}`);
    await ask("the river is Nile");
    expect((await processStats(c.gw)).pids.idle).toContain(spare);
    await ask("the river?");
    expect(texts(c)).toContain("the river is Nile");
  });
});

describe("parked spares (CLAUDE_SPARES=2)", () => {
  let c: ClaudeSetup;
  beforeAll(async () => {
    c = await startClaudeGateway({ CLAUDE_SPARES: "2" });
  });
  afterAll(async () => {
    await c?.close();
  });

  it("the parked spare takes a request's model and system prompt when it is claimed", async () => {
    // A session's first turn first: the spares started after it keep their transcript (as a session needs).
    await eventually(async () => (await processStats(c.gw)).starting === 0, 20_000); // no spare half-started
    const boot = new Set((await processStats(c.gw)).pids.spare);
    await asker(c, `parked-first-${Date.now()}`)("a session before");
    const spares = await eventually(async () => {
      const s = await processStats(c.gw);
      const fresh = s.pids.spare.filter((p) => !boot.has(p));
      return fresh.length === 2 && s.starting === 0 ? fresh : undefined;
    }, 30_000);
    const ask = asker(c, `parked-${Date.now()}`, "haiku");
    await ask("the lake is Titicaca", "Answer briefly.");
    const last = c.fake.mainRequests().at(-1)?.body;
    expect(JSON.stringify(last?.system)).toContain("Answer briefly.");
    expect(last?.model).toMatch(/haiku/);
    const idle = (await processStats(c.gw)).pids.idle;
    expect(idle.filter((p) => spares.includes(p))).toHaveLength(1);
    await ask("the lake?", "Answer briefly.");
    expect(texts(c)).toContain("the lake is Titicaca");
  });
});

describe("no process outlives the gateway", () => {
  it("SIGTERM with a running, an idle and a spare process leaves none", async () => {
    const c = await startClaudeGateway({ CLAUDE_SPARES: "1" });
    try {
      await asker(c, `term-${Date.now()}`)("keep me warm");
      const hung = asker(c, null)("[[fake:hang]]").catch((e) => e);
      await eventually(async () => {
        const s = await processStats(c.gw);
        return s.running === 1 && s.idle === 1 && s.spare === 1;
      }, 15_000);
      expect(claudePids(c.configDir).length).toBeGreaterThanOrEqual(3);
      await c.gw.stop();
      expect((await hung).status).toBe(503);
      await eventually(() => claudePids(c.configDir).length === 0, 3_000);
    } finally {
      await c.close();
    }
  });

  it("SIGTERM while a spare is starting ends it and reports no failure", async () => {
    // A claude whose turn processes take 3 s to start (not its --version): the gateway is stopped while its spare starts.
    const slow = path.join(fs.mkdtempSync(path.join(inject("tmpRoot"), "slow-claude-")), "claude");
    fs.writeFileSync(slow, `#!/bin/sh\ncase "$*" in *stream-json*) sleep 3;; esac\nexec "${CLAUDE_BIN}" "$@"\n`, {
      mode: 0o755,
    });
    const c = await startClaudeGateway({ CLAUDE_SPARES: "1", CLAUDE_BIN: slow });
    try {
      expect((await processStats(c.gw)).starting).toBe(1);
      await c.gw.stop();
      await eventually(() => claudePids(c.configDir).length === 0, 3_000);
      expect(c.gw.logs.join("")).not.toContain("spare did not start");
    } finally {
      await c.close();
    }
  });

  it("SIGKILL of the gateway takes its claude processes with it (parent-death signal)", async () => {
    const c = await startClaudeGateway({ CLAUDE_SPARES: "1" });
    try {
      await asker(c, `kill-${Date.now()}`)("keep me warm");
      await eventually(async () => {
        const s = await processStats(c.gw);
        return s.spare >= 1 && s.starting === 0;
      }, 15_000);
      expect(claudePids(c.configDir).length).toBeGreaterThanOrEqual(2);
      c.gw.kill("SIGKILL");
      await eventually(
        () => claudePids(c.configDir).length === 0,
        3_000,
        () =>
          claudePids(c.configDir)
            .map(
              (p) =>
                `${p} ${fs.readFileSync(`/proc/${p}/cmdline`, "utf8").replace(/\0/g, " ").slice(0, 200)} ${fs.readFileSync(`/proc/${p}/stat`, "utf8").slice(0, 80)}`,
            )
            .join("\n"),
      );
    } finally {
      await c.close();
    }
  });

  it("no turn process is left after stateless requests", async () => {
    const c = await startClaudeGateway({ CLAUDE_SPARES: "1" });
    try {
      await Promise.all([1, 2, 3].map((i) => asker(c, null)(`n${i}`)));
      await eventually(async () => (await turnPids(c)).length === 0, 3_000);
    } finally {
      await c.close();
    }
  });
});
