/**
 * Stateless requests on reused `claude` processes: a process that served a request is cleared
 * (`/clear`) and serves the same caller's next request with the same configuration, and nothing of
 * the first request reaches the second: not its messages, the files its tools read, its todo list or
 * its session id. The fake Anthropic API sees every message the second request sends, and the CLI's
 * own files under CLAUDE_CONFIG_DIR are read as well.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { conversationTexts, lastToolResults, type RecordedRequest } from "../fakes/anthropic";
import { type ClaudeSetup, claudePids, processStats, startClaudeGateway } from "../helpers/claude";
import { eventually } from "../helpers/gateway";
import { filesHolding, filesUnder } from "../helpers/transcripts";
import { ADMIN, createKey } from "./keys-client";

/** The CLI's transcript of one of its sessions. */
const transcript = (c: ClaudeSetup, sid: string) =>
  filesUnder(path.join(c.configDir, "projects")).find((f) => path.basename(f) === `${sid}.jsonl`);

const sessionOf = (r: RecordedRequest) => String(r.headers["x-claude-code-session-id"] ?? "");

/** The one reusable process of the setup, once the last request's process has been cleared. */
async function reusable(c: ClaudeSetup, admin = ADMIN) {
  let last: unknown;
  try {
    return await eventually(async () => {
      const s = await processStats(c.gw, admin);
      last = s;
      return s.reusable === 1 && s.waits.queued === 0 ? s.pids.reusable[0] : undefined;
    }, 10_000);
  } catch (e) {
    throw new Error(`no one reusable process: ${JSON.stringify(last)}`, { cause: e });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Slows the fake's answer (150 ms between words), so that the process serving it shows as running in
 * /health for a few hundred ms: long enough for observe()'s polling on a loaded machine (at 40 ms a
 * CI run once saw no running process during a request).
 */
const SLOW = " [[fake:slow=150]]";

/**
 * Runs `fn`; returns what it returned, the processes /health showed running meanwhile, the processes
 * that appeared meanwhile, and the fake's requests it caused.
 */
async function observe<T>(c: ClaudeSetup, fn: () => Promise<T>) {
  const before = new Set(claudePids(c.configDir));
  const fresh = new Set<number>();
  const ran = new Set<number>();
  const n = c.fake.requests.length;
  let stop = false;
  const poll = (async () => {
    while (!stop) {
      for (const p of claudePids(c.configDir)) if (!before.has(p)) fresh.add(p);
      for (const p of (await processStats(c.gw, ADMIN).catch(() => null))?.pids.running ?? []) ran.add(p);
      await sleep(10);
    }
  })();
  try {
    const result = await fn();
    return { result, ran: [...ran], fresh: [...fresh], requests: c.fake.requests.slice(n) };
  } finally {
    stop = true;
    await poll;
  }
}

/**
 * What request 2 sent upstream holds none of `secrets` (its headers and bodies whole), runs under a
 * session id of its own, and its conversation is its own words and nothing else; no file of the CLI
 * holds them (a stateless request writes no transcript).
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A body without the text blocks in which Claude Code describes its sandbox's configuration (`## Bash command sandbox`). */
function sandboxNoteLeftOut(body: any): any {
  if (!body || !Array.isArray(body.messages)) return body;
  const keep = (b: any) => !(b?.type === "text" && String(b.text ?? "").startsWith("## Bash command sandbox"));
  return {
    ...body,
    messages: body.messages.map((m: any) =>
      Array.isArray(m?.content) ? { ...m, content: m.content.filter(keep) } : m,
    ),
  };
}

async function expectNothingOf(c: ClaudeSetup, requests: RecordedRequest[], secrets: string[], words: string) {
  expect(requests.length).toBeGreaterThan(0);
  for (const r of requests) {
    const raw = JSON.stringify({ url: r.url, headers: r.headers, body: sandboxNoteLeftOut(r.body) });
    for (const s of secrets) expect(raw, `request 2 carried ${s}`).not.toContain(s);
    // Claude Code's note on its sandbox's configuration lists folders by path (request 1's session
    // task folder among them, by its id): it may name request 1's session id, but nothing else of it.
    const note = JSON.stringify(r.body ?? "");
    for (const s of secrets.filter((x) => !UUID.test(x))) expect(note, `request 2 carried ${s}`).not.toContain(s);
  }
  const main = requests.filter((r) => r.path === "/v1/messages");
  expect(conversationTexts(main[0]?.body)).toEqual([{ role: "user", text: words }]);
  const sid = sessionOf(main[0] as RecordedRequest);
  // A stateless request writes no transcript (issue 28), and no file of the CLI holds either request's words.
  expect(transcript(c, sid)).toBeUndefined();
  for (const s of [...secrets.filter((x) => !UUID.test(x)), words]) {
    expect(filesHolding([c.configDir], s), `a file holds ${s}`).toEqual([]);
  }
  return sid;
}

const chatAs =
  (c: ClaudeSetup, apiKey: string, extra: Record<string, unknown> = {}) =>
  (content: string) =>
    c.gw.openai({ apiKey }).chat.completions.create({
      model: "claude-code",
      messages: [{ role: "user", content }],
      ...extra,
    } as never) as unknown as Promise<{ choices: Array<{ message: { content: string | null; tool_calls?: any[] } }> }>;

describe("reuse without leaks (CLAUDE_SPARES=0, CLAUDE_SPARES_MAX=1)", () => {
  let c: ClaudeSetup;
  beforeAll(async () => {
    c = await startClaudeGateway({ CLAUDE_SPARES: "0", CLAUDE_SPARES_MAX: "1", CLAUDE_AUTH_KEY: ADMIN });
  });
  afterAll(async () => {
    c?.fake.setScript(undefined);
    await c?.close();
  });

  it("chat completions: request 2 runs on request 1's cleared process and sees nothing of it, nor of the file it read", async () => {
    const notes = path.join(c.env.CLAUDE_WORKDIR as string, "notes.txt");
    fs.writeFileSync(notes, "FILE-SECRET-PINEAPPLE\n");
    c.fake.setScript((req, ctx) =>
      ctx.isMain && ctx.lastUserText.includes("read my notes") && lastToolResults(req.body).length === 0
        ? { type: "reply", text: "", toolUses: [{ name: "Read", input: { file_path: notes } }] }
        : undefined,
    );
    const ask = chatAs(c, ADMIN);
    const one = await observe(c, () => ask("SECRET-TANGERINE-42: read my notes"));
    expect(one.result.choices[0]?.message.content).toContain("FILE-SECRET-PINEAPPLE");
    const sid1 = sessionOf(one.requests.at(-1) as RecordedRequest);
    const pid = await reusable(c);
    // The file changes after it was read: a process that remembered reading it would tell Claude so.
    fs.appendFileSync(notes, "CHANGED-AFTER-READ-MANGO\n");
    const two = await observe(c, () => ask(`what is the weather like${SLOW}`));
    expect(two.result.choices[0]?.message.content).toBe("Echo: what is the weather like");
    expect(two.ran, "request 2 ran elsewhere").toEqual([pid]);
    expect(two.fresh, "request 2 started a new process").toEqual([]);
    expect(await reusable(c)).toBe(pid);
    const secrets = ["TANGERINE", "PINEAPPLE", "MANGO", "notes.txt", sid1];
    const sid2 = await expectNothingOf(c, two.requests, secrets, `what is the weather like${SLOW}`);
    expect(sid2).not.toBe(sid1);
    // Nor did request 1 leave a transcript.
    expect(transcript(c, sid1)).toBeUndefined();
  });

  it("the Responses API (store: false): the same, and the cleared process's cost starts again at zero", async () => {
    c.fake.setScript(undefined);
    const client = c.gw.openai({ apiKey: ADMIN });
    const one = await observe(c, () =>
      client.responses.create({ model: "claude-code", input: `SECRET-OKAPI-7 is the code${SLOW}`, store: false }),
    );
    expect(one.result.output_text).toBe("Echo: SECRET-OKAPI-7 is the code");
    const sid1 = sessionOf(one.requests.at(-1) as RecordedRequest);
    const pid = await reusable(c);
    const two = await observe(c, () =>
      client.responses.create({ model: "claude-code", input: `what is it now${SLOW}`, store: false }),
    );
    expect(two.result.output_text).toBe("Echo: what is it now");
    expect(two.ran).toEqual([pid]);
    expect(await reusable(c)).toBe(pid);
    await expectNothingOf(c, two.requests, ["OKAPI", sid1], `what is it now${SLOW}`);
    // The same number of words, so the same usage: a running total carried over would add request 1's cost.
    const [r1, r2] = c.gw.records().slice(-2);
    expect(r1.costUsd).toBeGreaterThan(0);
    expect(r2.costUsd).toBeCloseTo(r1.costUsd, 10);
  });

  it("a tool loop: the client's calls and results stay with it; the next request with the same tools reuses the process", async () => {
    c.fake.setScript(undefined);
    const tools = [
      {
        type: "function" as const,
        function: {
          name: "lookup",
          description: "Looks up",
          parameters: { type: "object", properties: { q: { type: "string" } } },
        },
      },
    ];
    const client = c.gw.openai({ apiKey: ADMIN });
    const first = [{ role: "user" as const, content: "SECRET-IBEX-3 look it up [[fake:tool=lookup]]" }];
    const leg1 = await client.chat.completions.create({ model: "claude-code", messages: first, tools });
    const call = leg1.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === "function" && call.function.name).toBe("lookup");
    const leg2 = await client.chat.completions.create({
      model: "claude-code",
      tools,
      messages: [
        ...first,
        leg1.choices[0]?.message as never,
        { role: "tool", tool_call_id: call?.id as string, content: "RESULT-SECRET-YAK" },
      ],
    });
    expect(leg2.choices[0]?.message.content).toBe("Got: RESULT-SECRET-YAK");
    const sid1 = sessionOf(c.fake.mainRequests().at(-1) as RecordedRequest);
    const pid = await reusable(c);
    const three = await observe(c, () =>
      client.chat.completions.create({
        model: "claude-code",
        tools,
        messages: [{ role: "user", content: `plain question${SLOW}` }],
      }),
    );
    expect(three.result.choices[0]?.message.content).toBe("Echo: plain question");
    expect(three.ran).toEqual([pid]);
    expect(await reusable(c)).toBe(pid);
    await expectNothingOf(c, three.requests, ["IBEX", "YAK", call?.id as string, sid1], `plain question${SLOW}`);
  });

  it("a session's first turn does not take a cleared stateless process; it resumes in context after its own dies", async () => {
    c.fake.setScript(undefined);
    await chatAs(c, ADMIN)("SECRET-WOMBAT before the session");
    const pid = await reusable(c);
    const sid = `reuse-session-${Date.now()}`;
    const session = c.gw.openai({ apiKey: ADMIN, sessionId: sid });
    const say = (content: string) =>
      session.chat.completions.create({ model: "claude-code", messages: [{ role: "user", content }] });
    // A stateless process writes no transcript, so it cannot hold a session: the session gets its own.
    const one = await observe(c, () => say(`the password is swordfish${SLOW}`));
    expect(one.ran).not.toContain(pid);
    const [own] = (await processStats(c.gw, ADMIN)).pids.idle;
    expect(own).not.toBe(pid);
    expect((await say("and the door?")).choices[0]?.message.content).toBe("Echo: and the door?");
    process.kill(own as number, "SIGKILL");
    await eventually(() => !claudePids(c.configDir).includes(own as number), 5_000);
    // A new process resumes the session's transcript from the database.
    expect((await say("the password?")).choices[0]?.message.content).toBe("Echo: the password?");
    const conversation = JSON.stringify(c.fake.mainRequests().at(-1)?.body.messages);
    expect(conversation).toContain("swordfish");
    expect(conversation).toContain("and the door?");
    expect(conversation).not.toContain("WOMBAT");
  });

  it("a caller's slash command or @file mention is text for Claude: nothing is run, nothing attached", async () => {
    c.fake.setScript(undefined);
    fs.writeFileSync(path.join(c.env.CLAUDE_WORKDIR as string, "secret.txt"), "FILE-SECRET-QUOKKA\n");
    const ask = chatAs(c, ADMIN);
    // As commands, /clear and /cost run in the CLI without any API call and answer nothing.
    for (const words of ["/clear", "/cost", "@secret.txt what is in it?"]) {
      const n = c.fake.requests.length;
      const answer = await ask(words);
      expect(answer.choices[0]?.message.content).toBe(`Echo: ${words}`);
      const sent = c.fake.requests.slice(n).filter((r) => r.path === "/v1/messages");
      expect(sent).toHaveLength(1);
      expect(conversationTexts(sent[0]?.body)).toEqual([{ role: "user", text: words }]);
      expect(JSON.stringify(sent[0]?.body)).not.toContain("QUOKKA");
    }
    // A session's "/clear" does not clear its conversation either.
    const session = c.gw.openai({ apiKey: ADMIN, sessionId: `slash-${Date.now()}` });
    const say = (content: string) =>
      session.chat.completions.create({ model: "claude-code", messages: [{ role: "user", content }] });
    await say("remember the word marmalade");
    await say("/clear");
    await say("which word?");
    expect(JSON.stringify(c.fake.mainRequests().at(-1)?.body.messages)).toContain("marmalade");
  });

  it("a process whose tools may leave something behind (a todo list, a shell) is ended, not reused", async () => {
    c.fake.setScript((req, ctx) =>
      ctx.isMain && ctx.lastUserText.includes("plan it") && lastToolResults(req.body).length === 0
        ? {
            type: "reply",
            text: "",
            toolUses: [
              {
                name: "TodoWrite",
                input: { todos: [{ content: "TODO-SECRET-KIWI", status: "pending", activeForm: "x" }] },
              },
              { name: "Bash", input: { command: "echo BASH-SECRET-EMU > /dev/null", run_in_background: true } },
            ],
          }
        : undefined,
    );
    const ask = chatAs(c, ADMIN);
    await ask("a first request");
    const pid = await reusable(c);
    const one = await observe(c, () => ask("SECRET-LEMUR plan it"));
    expect(one.result.choices[0]?.message.content).toMatch(/^Got: /);
    // It ran on the one reusable process, which is then ended.
    await eventually(() => !claudePids(c.configDir).includes(pid as number), 10_000);
    expect((await processStats(c.gw, ADMIN)).pids.reusable).not.toContain(pid);
    const two = await observe(c, () => ask(`fresh start${SLOW}`));
    expect(two.result.choices[0]?.message.content).toBe("Echo: fresh start");
    expect(two.ran).not.toContain(pid);
    expect(two.ran).toHaveLength(1);
    await expectNothingOf(c, two.requests, ["LEMUR", "KIWI", "EMU"], `fresh start${SLOW}`);
  });
});

describe("who and what a process is reused for (CLAUDE_SPARES=0, CLAUDE_SPARES_MAX=8)", () => {
  let c: ClaudeSetup;
  beforeAll(async () => {
    c = await startClaudeGateway({ CLAUDE_SPARES: "0", CLAUDE_SPARES_MAX: "8", CLAUDE_AUTH_KEY: ADMIN });
  });
  afterAll(async () => {
    await c?.close();
  });

  /** Waits until no process is being cleared and no request waits. */
  const settled = () =>
    eventually(async () => {
      const s = await processStats(c.gw, ADMIN);
      return s.running === 0 && s.starting === 0 && s.waits.queued === 0 && s.reusable > 0;
    }, 10_000);

  it("two keys never share a process, nor with the admin; each key's next request reuses its own", async () => {
    const a = await createKey(c.gw, { name: "reuse-a" });
    const b = await createKey(c.gw, { name: "reuse-b" });
    const callers = { keya: a.key, keyb: b.key, root: ADMIN };
    /** Which processes served each caller. */
    const served: Record<string, Set<number>> = { keya: new Set(), keyb: new Set(), root: new Set() };
    for (const round of [1, 2, 3]) {
      for (const [who, key] of Object.entries(callers)) {
        const r = await observe(c, () => chatAs(c, key)(`${who} SECRET-${who.toUpperCase()}-${round}${SLOW}`));
        expect(r.result.choices[0]?.message.content).toBe(`Echo: ${who} SECRET-${who.toUpperCase()}-${round}`);
        expect(r.ran, `${who}, round ${round}`).toHaveLength(1);
        for (const p of r.ran) served[who]?.add(p);
        // Nothing of the other callers reaches this one.
        const raw = JSON.stringify(r.requests.map((x) => ({ headers: x.headers, body: x.body })));
        for (const other of Object.keys(callers).filter((o) => o !== who))
          expect(raw).not.toContain(`SECRET-${other.toUpperCase()}`);
        await settled();
      }
    }
    // One process per caller, reused for its every request, and none shared.
    const all = Object.values(served).flatMap((s) => [...s]);
    expect(Object.values(served).map((s) => s.size)).toEqual([1, 1, 1]);
    expect(new Set(all).size).toBe(3);
    expect((await processStats(c.gw, ADMIN)).pids.reusable.sort()).toEqual(all.sort());
  });

  it("another model, system prompt, set of tools or response_format starts a new process; the first configuration reuses its own", async () => {
    const sys = (content: string) => [{ role: "system" as const, content }];
    const client = c.gw.openai({ apiKey: ADMIN });
    const user = { role: "user" as const, content: `base${SLOW}` };
    const base = { model: "claude-code", messages: [...sys("config A"), user] };
    const first = await observe(c, () => client.chat.completions.create(base));
    expect(first.ran).toHaveLength(1);
    await settled();
    const used = new Set(first.ran);
    const variants: Array<[string, Record<string, unknown>]> = [
      ["system prompt", { messages: [...sys("config B"), user] }],
      ["model", { model: "haiku" }],
      ["tools", { tools: [{ type: "function", function: { name: "f", parameters: { type: "object" } } }] }],
      ["response_format", { response_format: { type: "json_object" } }],
    ];
    for (const [what, change] of variants) {
      const r = await observe(c, () => client.chat.completions.create({ ...base, ...change } as never));
      expect(r.ran, `another ${what}`).toHaveLength(1);
      expect(used.has(r.ran[0] as number), `another ${what} reused a process of another configuration`).toBe(false);
      used.add(r.ran[0] as number);
      await settled();
    }
    const again = await observe(c, () => client.chat.completions.create(base));
    expect(again.result.choices[0]?.message.content).toBe("Echo: base");
    expect(again.ran).toEqual(first.ran);
  });
});

describe("CLAUDE_REUSE_MAX_REQUESTS=3", () => {
  it("a process serves three stateless requests, then is ended; the fourth runs on a new one", async () => {
    const c = await startClaudeGateway({
      CLAUDE_SPARES: "0",
      CLAUDE_SPARES_MAX: "1",
      CLAUDE_REUSE_MAX_REQUESTS: "3",
      CLAUDE_AUTH_KEY: ADMIN,
    });
    try {
      const ask = chatAs(c, ADMIN);
      const ran: number[] = [];
      for (const n of [1, 2, 3]) {
        const r = await observe(c, () => ask(`request ${n}${SLOW}`));
        expect(r.result.choices[0]?.message.content).toBe(`Echo: request ${n}`);
        ran.push(...r.ran);
        if (n < 3) await reusable(c);
      }
      expect(new Set(ran).size, `ran on ${ran}`).toBe(1);
      const [first] = ran;
      await eventually(() => !claudePids(c.configDir).includes(first as number), 10_000);
      const stats = await processStats(c.gw, ADMIN);
      expect(stats.reusable).toBe(0);
      expect(stats.limits.reuseMaxRequests).toBe(3);
      const four = await observe(c, () => ask(`request 4${SLOW}`));
      expect(four.result.choices[0]?.message.content).toBe("Echo: request 4");
      expect(four.ran).toHaveLength(1);
      expect(four.ran).not.toContain(first);
    } finally {
      await c.close();
    }
  });
});
