/**
 * Issue 25: what the agent did. The real `claude` binary, driven by the fake Anthropic API into its
 * own tools (Write, Read, Bash, a sub-agent), through the gateway: the record's steps (the console's
 * tRPC queries), /metrics, and the OpenTelemetry trace a real OTLP receiver gets (http/json), parented
 * by the caller's `traceparent`.
 */
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bash, read, steps, stepsScript, subAgent, write } from "../helpers/agent-tasks";
import { type ClaudeSetup, startClaudeGateway } from "../helpers/claude";
import { parseSse, responsesValidatingFetch } from "../helpers/openai-responses";
import { type OtlpReceiver, startOtlpReceiver } from "../helpers/otlp";

let c: ClaudeSetup;
let otlp: OtlpReceiver;

const trpc = async (proc: string, input: unknown) => {
  const res = await fetch(`${c.gw.url}/api/trpc/${proc}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as any).result.data.json;
};

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN = "00f067aa0ba902b7";

beforeAll(async () => {
  otlp = await startOtlpReceiver();
  c = await startClaudeGateway({
    CLAUDE_SPARES: "0",
    OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
    OTEL_BSP_SCHEDULE_DELAY: "50",
    OTEL_SERVICE_NAME: "ccb-steps-test",
    OTEL_RESOURCE_ATTRIBUTES: "deployment.environment=test",
  });
  c.fake.setScript(stepsScript);
});
afterAll(async () => {
  await c?.close();
  await otlp?.close();
});

describe("a Claude Code task's steps", () => {
  let id = "";
  let answer = "";

  beforeAll(async () => {
    const prompt = `do it ${steps(
      [write("notes/a.txt", "hello steps\n")],
      [read("notes/a.txt"), bash("echo ran-bash")],
      [subAgent([bash("echo from-sub-agent")])],
      [bash("exit 3")],
    )}`;
    const res = await fetch(`${c.gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", traceparent: `00-${TRACE}-${CALLER_SPAN}-01` },
      body: JSON.stringify({ model: "claude-code", messages: [{ role: "user", content: prompt }] }),
    });
    expect(res.status).toBe(200);
    id = res.headers.get("x-request-id") ?? "";
    answer = ((await res.json()) as any).choices[0].message.content;
  });

  it("records every model call, tool call and the sub-agent's, with outcomes, sizes and the file written", async () => {
    expect(answer).toContain("from-sub-agent");
    const d = await trpc("requests.detail", { id });
    const tools = d.steps.filter((s: any) => s.kind === "tool");
    expect(tools.map((s: any) => [s.tool, s.outcome])).toEqual([
      ["Write", "ok"],
      ["Read", "ok"],
      ["Bash", "ok"],
      ["Agent", "ok"],
      ["Bash", "ok"],
      ["Bash", "error"],
    ]);
    const [wrote, readIt, ran, sub, subBash, failed] = tools;
    expect(wrote.path).toMatch(/notes\/a\.txt$/);
    expect(wrote.summary).toMatch(/notes\/a\.txt$/);
    expect(readIt.path).toBeNull();
    expect(ran.summary).toBe("echo ran-bash");
    expect(ran.resultBytes).toBeGreaterThan(0);
    expect(failed.summary).toBe("exit 3");
    // The sub-agent's steps sit under the Agent call that started it.
    expect(subBash.parentSeq).toBe(sub.seq);
    expect(subBash.summary).toBe("echo from-sub-agent");
    const subModel = d.steps.filter((s: any) => s.kind === "model" && s.parentSeq === sub.seq);
    expect(subModel.length).toBeGreaterThanOrEqual(2);
    const models = d.steps.filter((s: any) => s.kind === "model" && s.parentSeq === null);
    expect(models.length).toBeGreaterThanOrEqual(5);
    for (const m of models) {
      expect(m.model).toBeTruthy();
      expect(m.inputTokens).toBeGreaterThan(0);
      expect(m.durationMs).toBeGreaterThanOrEqual(0);
    }
    for (const s of d.steps) expect(s.durationMs).not.toBeNull();
    expect(d.steps.map((s: any) => s.seq)).toEqual(d.steps.map((_: unknown, i: number) => i + 1));
  });

  it("the request list counts the steps and filters by tool", async () => {
    const bashRuns = await trpc("requests.list", { tool: "Bash" });
    const mine = bashRuns.items.find((r: any) => r.id === id);
    expect(mine?.steps).toBeGreaterThanOrEqual(11);
    expect((await trpc("requests.list", { tool: "WebFetch" })).items).toEqual([]);
    expect((await trpc("requests.filterOptions", undefined)).tools).toEqual(
      expect.arrayContaining(["Agent", "Bash", "Read", "Write"]),
    );
    const byTool = await trpc("usage.tools", { range: "24h" });
    expect(byTool.find((t: any) => t.tool === "Bash")).toMatchObject({ calls: 3, errors: 1 });
  });

  it("/metrics counts tool calls by tool and outcome, their durations, model calls per request", async () => {
    const text = await (await fetch(`${c.gw.url}/metrics`)).text();
    expect(text).toContain('ccbridge_tool_calls_total{provider="claude-code",tool="Bash",outcome="ok"} 2');
    expect(text).toContain('ccbridge_tool_calls_total{provider="claude-code",tool="Bash",outcome="error"} 1');
    expect(text).toContain('ccbridge_tool_calls_total{provider="claude-code",tool="Write",outcome="ok"} 1');
    expect(text).toMatch(/ccbridge_tool_call_duration_seconds_count\{provider="claude-code",tool="Read"\} 1/);
    expect(text).toMatch(/ccbridge_model_calls_per_request_count\{provider="claude-code"\} [1-9]/);
    expect(text).toContain("ccbridge_trace_spans_dropped_total 0");
  });

  it("one trace: the request under the caller's span, invoke_agent, chat and execute_tool spans with gen_ai attributes", async () => {
    const root = await otlp.waitFor((s) => s.traceId === TRACE && s.attributes["cc_bridge.request.id"] === id);
    expect(root.parentSpanId).toBe(CALLER_SPAN);
    expect(root.name).toBe("POST /v1/chat/completions");
    expect(root.resource).toMatchObject({ "service.name": "ccb-steps-test", "deployment.environment": "test" });
    expect(root.attributes).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "anthropic",
      "gen_ai.request.model": "claude-code",
      "http.response.status_code": 200,
    });
    // No prompt or answer text unless the operator opts in.
    expect(root.attributes["gen_ai.input.messages"]).toBeUndefined();
    const spans = () => otlp.spans.filter((s) => s.traceId === TRACE);
    const agentSpan = await otlp.waitFor((s) => s.traceId === TRACE && s.name === "invoke_agent claude-code");
    expect(agentSpan.parentSpanId).toBe(root.spanId);
    expect(agentSpan.attributes).toMatchObject({
      "gen_ai.operation.name": "invoke_agent",
      "gen_ai.agent.name": "claude-code",
    });
    expect(typeof agentSpan.attributes["gen_ai.conversation.id"]).toBe("string");
    await otlp.waitFor((s) => s.traceId === TRACE && s.attributes["gen_ai.tool.name"] === "Agent");
    const chats = spans().filter((s) => s.name.startsWith("chat "));
    expect(chats.length).toBeGreaterThanOrEqual(7);
    const top = chats.filter((s) => s.parentSpanId === agentSpan.spanId);
    expect(top.length).toBeGreaterThanOrEqual(5);
    expect(top[0]!.attributes).toMatchObject({ "gen_ai.operation.name": "chat", "gen_ai.provider.name": "anthropic" });
    expect(top[0]!.attributes["gen_ai.usage.input_tokens"]).toBeGreaterThan(0);
    const tools = spans().filter((s) => s.name.startsWith("execute_tool "));
    expect(tools.map((s) => s.name).sort()).toEqual(
      ["Agent", "Bash", "Bash", "Bash", "Read", "Write"].map((t) => `execute_tool ${t}`),
    );
    const agentTool = tools.find((s) => s.attributes["gen_ai.tool.name"] === "Agent")!;
    expect(agentTool.attributes["gen_ai.tool.call.id"]).toMatch(/^toolu_/);
    // The sub-agent's Bash and model calls are children of the Agent tool's span.
    expect(tools.filter((s) => s.parentSpanId === agentTool.spanId).map((s) => s.name)).toEqual(["execute_tool Bash"]);
    expect(chats.filter((s) => s.parentSpanId === agentTool.spanId).length).toBeGreaterThanOrEqual(2);
    const failed = tools.find((s) => s.status.code === 2);
    expect(failed?.attributes["gen_ai.tool.name"]).toBe("Bash");
    // Children start no earlier than their parents.
    for (const s of [...tools, ...chats])
      expect(BigInt(s.startTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(root.startTimeUnixNano));
  });
});

describe("the steps seen by the client", () => {
  const task = () => `go ${steps([bash("echo one")], [bash("cat /nope/missing")])}`;

  it("/v1/responses: each tool call Claude Code ran is an mcp_call item (schema-valid, the openai SDK reads it), streamed as it ends", async () => {
    const failures: string[] = [];
    const client = new OpenAI({ baseURL: `${c.gw.url}/v1`, apiKey: "x", fetch: responsesValidatingFetch(failures) });
    const res = await client.responses.create({ model: "claude-code", input: task(), store: false });
    const calls = res.output.filter((o) => o.type === "mcp_call");
    expect(calls.map((o) => [o.name, o.status, o.server_label, JSON.parse(o.arguments).summary])).toEqual([
      ["Bash", "completed", "claude-code", "echo one"],
      ["Bash", "failed", "claude-code", "cat /nope/missing"],
    ]);
    expect(calls[1]).toMatchObject({ error: { type: "mcp_tool_execution_error" }, output: null });
    expect(res.output.at(-1)?.type).toBe("message");
    expect(res.output_text).toContain("RESULTS");
    // A client that keeps the conversation itself (store: false, as Codex does) sends the items back.
    const next = await client.responses.create({
      model: "claude-code",
      input: [...(res.output as any[]), { role: "user", content: "and now?" }],
      store: false,
    });
    expect(next.status).toBe("completed");
    // Streamed: the items' events come as the steps end, before the answer's text.
    const stream = await client.responses.create({ model: "claude-code", input: task(), store: false, stream: true });
    const types: string[] = [];
    for await (const e of stream) types.push(e.type);
    const firstText = types.indexOf("response.output_text.delta");
    expect(types.indexOf("response.mcp_call.completed")).toBeGreaterThan(-1);
    expect(types.indexOf("response.mcp_call.failed")).toBeLessThan(firstText);
    expect(failures).toEqual([]);
  });

  it("a background response shows the steps so far while it runs, and all of them at the end (issue 26)", async () => {
    const failures: string[] = [];
    const client = new OpenAI({ baseURL: `${c.gw.url}/v1`, apiKey: "x", fetch: responsesValidatingFetch(failures) });
    const created = await client.responses.create({
      model: "claude-code",
      input: `in the background ${steps([bash("echo first-step")], [bash("sleep 2")])}`,
      background: true,
      store: true,
    });
    expect(["queued", "in_progress"]).toContain(created.status);
    let seenWhileRunning: string[] = [];
    let last = created;
    while (last.status === "queued" || last.status === "in_progress") {
      await new Promise((r) => setTimeout(r, 100));
      last = await client.responses.retrieve(created.id);
      const calls = last.output.filter((o) => o.type === "mcp_call").map((o) => JSON.parse(o.arguments).summary);
      if (last.status === "in_progress" && calls.length) seenWhileRunning = calls;
    }
    expect(last.status).toBe("completed");
    expect(seenWhileRunning).toContain("echo first-step");
    const calls = last.output.filter((o) => o.type === "mcp_call");
    expect(calls.map((o) => [o.name, JSON.parse(o.arguments).summary, o.status])).toEqual([
      ["Bash", "echo first-step", "completed"],
      ["Bash", "sleep 2", "completed"],
    ]);
    expect(failures).toEqual([]);
  });

  it("X-Agent-Steps: off leaves them out of a response", async () => {
    const res = await fetch(`${c.gw.url}/v1/responses`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-agent-steps": "off" },
      body: JSON.stringify({ model: "claude-code", input: task(), store: false }),
    });
    const body = (await res.json()) as any;
    expect(body.output.map((o: any) => o.type)).toEqual(["message"]);
  });

  it("chat completions: nothing on the wire by default; X-Agent-Steps: reasoning streams a progress line per step", async () => {
    const chat = async (headers: Record<string, string>) => {
      const res = await fetch(`${c.gw.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify({ model: "claude-code", stream: true, messages: [{ role: "user", content: task() }] }),
      });
      const chunks = parseSse(await res.text()).filter((e) => e.data !== "[DONE]");
      return chunks.map((e) => e.data.choices?.[0]?.delta?.reasoning_content ?? "").join("");
    };
    expect(await chat({})).toBe("");
    const lines = await chat({ "x-agent-steps": "reasoning" });
    expect(lines).toMatch(/▸ Bash: echo one \(ok, \d+ B, \d+ ms\)\n/);
    expect(lines).toMatch(/▸ Bash: cat \/nope\/missing \(error, \d+ B, \d+ ms\)\n/);
  });

  it("Anthropic Messages: X-Agent-Steps: reasoning puts the lines in a thinking block; none by default", async () => {
    const messages = async (headers: Record<string, string>) => {
      const res = await fetch(`${c.gw.url}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify({
          model: "claude-code",
          max_tokens: 1000,
          stream: true,
          messages: [{ role: "user", content: task() }],
        }),
      });
      const events = parseSse(await res.text());
      return events
        .filter((e) => e.data?.delta?.type === "thinking_delta")
        .map((e) => e.data.delta.thinking)
        .join("");
    };
    expect(await messages({})).toBe("");
    expect(await messages({ "x-agent-steps": "reasoning" })).toMatch(/▸ Bash: echo one \(ok/);
  });
});
