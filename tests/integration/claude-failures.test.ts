import fs from "node:fs";
import path from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { CLAUDE_BIN, type ClaudeSetup, claudePids, startClaudeGateway, turnPids } from "../helpers/claude";
import { eventually, startGateway } from "../helpers/gateway";
import { expectError } from "../helpers/schema";

let c: ClaudeSetup;

beforeAll(async () => {
  c = await startClaudeGateway({ CLAUDE_MAX_CONCURRENCY: "2", CLAUDE_MAX_QUEUE: "1" });
});
afterAll(async () => {
  await c?.close();
});

const ask = (content: string) =>
  c.gw.openai().chat.completions.create({ model: "claude-code", messages: [{ role: "user", content }] });
const askStream = (content: string) =>
  c.gw.openai().chat.completions.create({ model: "claude-code", messages: [{ role: "user", content }], stream: true });

/** Starts a streamed request and waits for its first bytes; the caller aborts it. */
async function startSlowStream(content: string, headers: Record<string, string> = {}, gw = c.gw) {
  const controller = new AbortController();
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ model: "claude-code", messages: [{ role: "user", content }], stream: true }),
    signal: controller.signal,
  });
  await res.body!.getReader().read();
  return { controller, res };
}

describe("upstream errors from Claude", () => {
  it("maps 429 → 429, 529 and 500 → 503, 401 and 403 → 502 'not authenticated', one record each", async () => {
    const cases = [
      { marker: "429", status: 429, cls: OpenAI.RateLimitError, text: /rate limited/ },
      { marker: "529", status: 503, cls: OpenAI.InternalServerError, text: /overloaded/i },
      { marker: "401", status: 502, cls: OpenAI.InternalServerError, text: /not authenticated/ },
      { marker: "403", status: 502, cls: OpenAI.InternalServerError, text: /not authenticated/ },
      { marker: "500", status: 503, cls: OpenAI.InternalServerError, text: /unavailable/i },
    ];
    for (const k of cases) {
      for (const stream of [false, true]) {
        const before = c.gw.records().length;
        const prompt = `x [[fake:error=${k.marker}]]`;
        const e = await (stream ? askStream(prompt) : ask(prompt)).catch((x) => x);
        expect(e, k.marker).toBeInstanceOf(k.cls);
        expect(e.status).toBe(k.status);
        expect(e.message).toMatch(k.text);
        expect(e.message).not.toMatch(/sk-test-fake/);
        const rows = await eventually(() => (c.gw.records().length > before ? c.gw.records() : null));
        expect(rows.length).toBe(before + 1);
        expect(rows.at(-1)).toMatchObject({ status: "error", httpStatus: k.status, provider: "claude-code" });
      }
    }
    const raw = await fetch(`${c.gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "claude-code", messages: [{ role: "user", content: "[[fake:error=429]]" }] }),
    });
    expect(raw.headers.get("retry-after")).toBeTruthy();
    expectError(await raw.json());
  });

  it("a mid-stream failure after text was sent → data: {error}, then the stream ends", async () => {
    for (const marker of ["[[fake:midstream-error]]", "[[fake:midstream-error=recover]]"]) {
      const stream = await askStream(`alpha beta gamma delta ${marker}`);
      let text = "";
      const e = await (async () => {
        for await (const ch of stream) text += ch.choices[0]?.delta.content ?? "";
      })().catch((x) => x);
      expect(e, marker).toBeInstanceOf(OpenAI.APIError);
      expect(text.length).toBeGreaterThan(0);
      const rec = c.gw.records().at(-1);
      expect(rec).toMatchObject({ status: "error", stream: 1 });
    }
  });

  it("without streaming, a recovered retry gives the whole answer", async () => {
    const r = await ask("alpha beta gamma delta [[fake:midstream-error=recover]]");
    expect(r.choices[0]?.message.content).toBe("Echo: alpha beta gamma delta");
  });
});

/** What a request ended with, in a line: its answer, or its error's status and code. */
const outcome = (r: unknown) => (r instanceof OpenAI.APIError ? `${r.status} ${r.code ?? ""}`.trim() : String(r));

describe("limits", () => {
  it("runs at most CLAUDE_MAX_CONCURRENCY, queues CLAUDE_MAX_QUEUE, answers 429 with Retry-After beyond", async () => {
    const results = await Promise.all(
      [1, 2, 3, 4].map((i) =>
        c.gw
          .openai()
          .chat.completions.create({
            model: "claude-code",
            messages: [{ role: "user", content: `n${i} [[fake:slow=250]]` }],
          })
          .then((r) => r.choices[0]?.message.content)
          .catch((e) => e),
      ),
    );
    const outs = results.map(outcome);
    expect(
      outs.filter((o) => o === "429 concurrency_limit"),
      outs.join(" | "),
    ).toHaveLength(1);
    expect(
      outs.filter((o) => /^Echo: n\d$/.test(o)),
      outs.join(" | "),
    ).toHaveLength(3);
    const refused = results.find((r) => r instanceof OpenAI.RateLimitError);
    expect(refused?.headers.get("retry-after")).toBeTruthy();
  });

  it("a client that gives up on a non-streaming request kills the process too; the record says cancelled", async () => {
    const controller = new AbortController();
    const before = c.gw.records().length;
    const pending = fetch(`${c.gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "claude-code",
        messages: [{ role: "user", content: "p q r s t u v [[fake:slow=500]]" }],
      }),
      signal: controller.signal,
    }).catch((x) => x);
    await eventually(async () => (await turnPids(c)).length > 0, 10_000);
    controller.abort();
    expect(await pending).toBeInstanceOf(Error);
    await eventually(async () => (await turnPids(c)).length === 0, 3_000);
    const rec = await eventually(() =>
      c.gw
        .records()
        .slice(before)
        .find((r) => r.status !== "ok"),
    );
    expect(rec).toMatchObject({ status: "cancelled", stream: 0 });
  });

  it("a client disconnect kills the process within 2 seconds; the record says cancelled", async () => {
    const { controller, res } = await startSlowStream("a b c d e f g h i j k l [[fake:slow=500]]");
    const id = res.headers.get("x-request-id");
    const pids = await turnPids(c);
    expect(pids.length).toBeGreaterThan(0);
    const t0 = Date.now();
    controller.abort();
    await eventually(async () => (await turnPids(c)).length === 0, 2_000);
    expect(Date.now() - t0).toBeLessThan(2_000);
    for (const pid of pids)
      expect(fs.existsSync(`/proc/${pid}/cmdline`) && claudePids(c.configDir).includes(pid)).toBe(false);
    const rec = await eventually(() => c.gw.records().find((r) => r.id === id && r.status !== "ok"));
    expect(rec.status).toBe("cancelled");
  });
});

describe("one CLI per session", () => {
  // A claude that takes a second to die: its wrapper shell sleeps on TERM (the group is KILLed after 1.5 s).
  let slow: ClaudeSetup;
  beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(inject("tmpRoot"), "slowdeath-"));
    const bin = path.join(dir, "claude");
    fs.writeFileSync(
      bin,
      `#!/bin/bash\ntrap 'sleep 1; exit 143' TERM\n"${CLAUDE_BIN}" "$@" <&0 &\nwait $!\nwait $!\n`,
      {
        mode: 0o755,
      },
    );
    // No spare (none kept, none started for the demand): the sampler below counts every process group of this setup.
    slow = await startClaudeGateway({ CLAUDE_BIN: bin, CLAUDE_SPARES: "0", CLAUDE_SPARES_MAX: "0" });
  });
  afterAll(async () => {
    await slow?.close();
  });

  it("a cancelled stream's process is gone before the next request on its session starts", async () => {
    const sid = `cancel-order-${Date.now()}`;
    const { controller } = await startSlowStream(
      "a b c d e f g h i j [[fake:slow=400]]",
      { "x-session-id": sid },
      slow.gw,
    );
    const old = await turnPids(slow);
    expect(old.length).toBeGreaterThan(0);
    const next = slow.gw
      .openai({ sessionId: sid })
      .chat.completions.create({ model: "claude-code", messages: [{ role: "user", content: "next turn" }] });
    // A run is a process group (the CLI may start helpers of its own while it runs).
    const groupOf = (pid: number) => Number(fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ")[2]);
    const oldGroup = groupOf(old[0]!);
    let overlap: number[] | null = null;
    const sampler = setInterval(() => {
      const groups = claudePids(slow.configDir).flatMap((p) => {
        try {
          return [groupOf(p)];
        } catch {
          return []; // gone meanwhile
        }
      });
      if (groups.includes(oldGroup) && groups.some((g) => g !== oldGroup)) overlap ??= groups;
    }, 5);
    controller.abort();
    try {
      expect((await next).choices[0]?.message.content).toBe("Echo: next turn");
    } finally {
      clearInterval(sampler);
    }
    expect(overlap, "the old and the new run's process groups were alive at once").toBeNull();
  });
});

describe("run timeout", () => {
  // A gateway of its own: CLAUDE_TIMEOUT_MS must be short here and must not cut the other tests' runs.
  let t: ClaudeSetup & { ask: typeof ask };
  beforeAll(async () => {
    const s = await startClaudeGateway({
      CLAUDE_MAX_CONCURRENCY: "2",
      CLAUDE_MAX_QUEUE: "1",
      CLAUDE_TIMEOUT_MS: "6000",
    });
    t = Object.assign(s, {
      ask: (content: string) =>
        s.gw.openai().chat.completions.create({ model: "claude-code", messages: [{ role: "user", content }] }),
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("ends a run past CLAUDE_TIMEOUT_MS with 504 and kills it; a request queued meanwhile gets its own full time", async () => {
    const hung = [t.ask("wait [[fake:hang]]").catch((x) => x), t.ask("wait too [[fake:hang]]").catch((x) => x)];
    await eventually(async () => (await turnPids(t)).length >= 2, 10_000);
    // Both slots are taken; this one waits in the queue for as long as the hung runs last.
    const queued = t
      .ask("after the wait")
      .then((r) => r.choices[0]?.message.content)
      .catch((x) => x);
    for (const e of await Promise.all(hung)) {
      expect(outcome(e)).toBe("504 upstream_timeout");
      expect(e.message).toMatch(/CLAUDE_TIMEOUT_MS/);
    }
    expect(outcome(await queued)).toBe("Echo: after the wait");
    await eventually(async () => (await turnPids(t)).length === 0, 3_000);
    const recs = t.gw.records().slice(-3);
    expect(recs.map((r) => r.httpStatus).sort()).toEqual([200, 504, 504]);
  });
});

describe("finding and starting the CLI", () => {
  it("without CLAUDE_BIN, uses the binary the Agent SDK ships in node_modules", async () => {
    const gw = await startGateway({ CLAUDE_BIN: "", PATH: "/usr/bin:/bin" });
    try {
      const h = await (await fetch(`${gw.url}/health`)).json();
      expect(h.claude).toMatchObject({ found: true, source: "node_modules" });
      expect(h.claude.path).toBe(CLAUDE_BIN);
      expect(h.claude.version).toMatch(/^\d+\.\d+\.\d+/);
    } finally {
      await gw.stop();
    }
  });

  it("answers 503 naming CLAUDE_WORKDIR when it is not a directory, and records it", async () => {
    const gw = await startGateway({ CLAUDE_BIN, CLAUDE_WORKDIR: "/nonexistent/workdir" });
    try {
      const e = await gw
        .openai()
        .chat.completions.create({ model: "claude-code", messages: [{ role: "user", content: "x" }] })
        .catch((x) => x);
      expect(e.status).toBe(503);
      expect(e.message).toMatch(/CLAUDE_WORKDIR/);
      const rec = await eventually(() => gw.records().at(-1));
      expect(rec).toMatchObject({ status: "error", httpStatus: 503, provider: "claude-code" });
    } finally {
      await gw.stop();
    }
  });
});

describe("a CLI that fails without a result", () => {
  it("answers 502 with a short reason and no secrets", async () => {
    const dir = fs.mkdtempSync(path.join(inject("tmpRoot"), "badbin-"));
    const bin = path.join(dir, "claude");
    fs.writeFileSync(bin, "#!/bin/sh\necho 'fatal: key sk-ant-api03-SECRETSECRET rejected' >&2\nexit 3\n", {
      mode: 0o755,
    });
    const gw = await startGateway({ CLAUDE_BIN: bin, CLAUDE_WORKDIR: dir });
    try {
      const e = await gw
        .openai()
        .chat.completions.create({ model: "claude-code", messages: [{ role: "user", content: "x" }] })
        .catch((x) => x);
      expect(e.status).toBe(502);
      expect(e.message).toMatch(/exit code 3/);
      expect(e.message).not.toMatch(/SECRETSECRET/);
    } finally {
      await gw.stop();
    }
  });
});

describe("gateway shutdown", () => {
  it("ends every run when the gateway stops: no claude process left, each run answered and recorded as 503", async () => {
    const answers = [false, true].map((stream) =>
      fetch(`${c.gw.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "claude-code", messages: [{ role: "user", content: "[[fake:hang]]" }], stream }),
      }).then(async (r) => ({ status: r.status, body: await r.json() })),
    );
    await eventually(async () => (await turnPids(c)).length >= 2, 10_000);
    // Records are written when a request starts (status running, with the next group commit: within
    // BEGIN_WINDOW_MS), and completed at the end.
    const running = await eventually(() => {
      const ids = c.gw.query("SELECT id FROM Request WHERE status = 'running'").map((r) => r.id);
      return ids.length === 2 ? ids : null;
    }, 2_000);
    await c.gw.stop();
    await eventually(() => claudePids(c.configDir).length === 0, 3_000);
    for (const a of await Promise.all(answers)) {
      expect(a.status).toBe(503);
      expectError(a.body);
      expect(a.body.error.code).toBe("gateway_shutdown");
    }
    const recs = c.gw.records().filter((r) => running.includes(r.id));
    expect(recs.map((r) => [r.status, r.httpStatus, r.errorCode])).toEqual([
      ["error", 503, "gateway_shutdown"],
      ["error", 503, "gateway_shutdown"],
    ]);
  });
});
