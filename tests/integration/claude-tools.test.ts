/** OpenAI function calling and structured output on Claude Code models, driven by the `openai` SDK. */
import { createOpenAI } from "@ai-sdk/openai";
import { type BaseMessage, HumanMessage } from "@langchain/core/messages";
import { tool as lcTool } from "@langchain/core/tools";
import { ChatOpenAI } from "@langchain/openai";
import { generateObject, generateText, stepCountIs, tool } from "ai";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { lastToolResults } from "../fakes/anthropic";
import { type ClaudeSetup, claudeLeaders, processStats, startClaudeGateway, turnPids } from "../helpers/claude";
import { eventually } from "../helpers/gateway";

let c: ClaudeSetup;
beforeAll(async () => {
  c = await startClaudeGateway({ CLAUDE_TOOL_WAIT_MS: "4000" });
});
afterAll(async () => {
  await c?.close();
});

const weather = {
  type: "function" as const,
  function: {
    name: "get_weather",
    description: "The weather in a city",
    parameters: {
      type: "object",
      properties: {
        q: { type: "string" },
        where: {
          type: "object",
          properties: { city: { type: "string" }, units: { type: "string", enum: ["C", "F"] } },
          required: ["city"],
        },
        days: { type: "array", items: { type: "integer" } },
      },
      required: ["q"],
    },
  },
};
const time = {
  type: "function" as const,
  function: {
    name: "get_time",
    description: "The time",
    parameters: { type: "object", properties: { q: { type: "string" } } },
  },
};
const offered = () =>
  ((c.fake.mainRequests().at(-1)?.body.tools ?? []) as Array<{ name: string; input_schema: unknown }>).filter((t) =>
    t.name.startsWith("mcp__client__"),
  );

describe("function tools on Claude Code", () => {
  it("offers the client's tools as they are, and runs the openai SDK's runTools loop to the end", async () => {
    const calls: unknown[] = [];
    const runner = c.gw.openai().chat.completions.runTools({
      model: "claude-code",
      messages: [{ role: "user", content: "weather in Paris [[fake:tool=get_weather]]" }],
      tools: [
        {
          ...weather,
          function: {
            ...weather.function,
            function: (args: unknown) => {
              calls.push(args);
              return "sunny, 21 C";
            },
            parse: JSON.parse,
          },
        },
      ],
    });
    const final = await runner.finalContent();
    expect(final).toBe("Got: sunny, 21 C");
    expect(calls).toEqual([{ q: "weather in Paris" }]);
    const tools = offered();
    expect(tools.map((t) => t.name)).toEqual(["mcp__client__get_weather"]);
    expect(tools[0]?.input_schema).toMatchObject(weather.function.parameters);
    // Claude Code's own tools are off when the client brings its own.
    expect(
      ((c.fake.mainRequests().at(-1)?.body.tools ?? []) as Array<{ name: string }>).map((t) => t.name),
    ).not.toContain("Bash");
    const [leg1, leg2] = c.gw.records().slice(-2);
    expect(leg1).toMatchObject({ finishReason: "tool_calls", status: "ok" });
    expect(leg2).toMatchObject({ finishReason: "stop", status: "ok", parentRequestId: leg1.id });
    expect(leg2.toolWaitMs).toBeGreaterThanOrEqual(0);
    expect(leg1.promptTokens).toBeGreaterThan(0);
  });

  it("runs the openai SDK's runTools loop in stream mode too", async () => {
    const runner = c.gw.openai().chat.completions.runTools({
      model: "claude-code",
      stream: true,
      messages: [{ role: "user", content: "streamed loop [[fake:tool=get_time]]" }],
      tools: [{ ...time, function: { ...time.function, function: () => "half past", parse: JSON.parse } }],
    });
    const deltas: string[] = [];
    runner.on("content", (d) => deltas.push(d));
    expect(await runner.finalContent()).toBe("Got: half past");
    expect(deltas.join("")).toBe("Got: half past");
    const legs = c.gw.records().slice(-2);
    expect(legs.map((r) => [r.finishReason, r.stream])).toEqual([
      ["tool_calls", 1],
      ["stop", 1],
    ]);
  });

  it("streams: text before the call, tool-call deltas with index, then the rest of the same turn", async () => {
    const client = c.gw.openai();
    const stream = await client.chat.completions.create({
      model: "claude-code",
      messages: [{ role: "user", content: "two things [[fake:tool=get_weather]] [[fake:tool=get_time]]" }],
      tools: [weather, time],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const ch of stream) chunks.push(ch);
    const deltas = chunks.flatMap((ch) => ch.choices[0]?.delta.tool_calls ?? []);
    expect(deltas.map((d) => [d.index, d.function?.name])).toEqual([
      [0, "get_weather"],
      [1, "get_time"],
    ]);
    expect(chunks.find((ch) => ch.choices[0]?.finish_reason)?.choices[0]?.finish_reason).toBe("tool_calls");
    expect(chunks.at(-1)?.usage?.prompt_tokens).toBeGreaterThan(0);
    const ids = deltas.map((d) => d.id as string);
    expect((await processStats(c.gw)).waiting).toBe(1);
    const second = await client.chat.completions.create({
      model: "claude-code",
      messages: [
        { role: "user", content: "two things [[fake:tool=get_weather]] [[fake:tool=get_time]]" },
        {
          role: "assistant",
          content: null,
          tool_calls: deltas.map((d) => ({
            id: d.id as string,
            type: "function" as const,
            function: { name: d.function?.name as string, arguments: d.function?.arguments as string },
          })),
        },
        { role: "tool", tool_call_id: ids[0] as string, content: "rain" },
        { role: "tool", tool_call_id: ids[1] as string, content: "noon" },
      ],
      tools: [weather, time],
      stream: true,
    });
    let text = "";
    for await (const ch of second) text += ch.choices[0]?.delta.content ?? "";
    expect(text).toBe("Got: rain | noon");
    expect(lastToolResults(c.fake.mainRequests().at(-1)?.body).map((r) => r.id)).toEqual(ids);
  });

  it("a second round of tools, and a tool that failed on the client", async () => {
    c.fake.setScript((req) => {
      const results = lastToolResults(req.body);
      if (!offered().length && !(req.body.tools ?? []).length) return undefined;
      if (results.length === 0)
        return { type: "reply", text: "Let me look. ", toolUses: [{ name: "get_weather", input: { q: "x" } }] };
      if (results[0]?.text.includes("weather-result"))
        return { type: "reply", text: "", toolUses: [{ name: "get_time", input: { q: "y" } }] };
      return { type: "reply", text: `Done: ${results.map((r) => r.text).join(",")}` };
    });
    try {
      const runner = c.gw.openai().chat.completions.runTools({
        model: "claude-code",
        messages: [{ role: "user", content: "plan my day" }],
        tools: [
          { ...weather, function: { ...weather.function, function: () => "weather-result", parse: JSON.parse } },
          {
            ...time,
            function: {
              ...time.function,
              // How a client reports a tool that failed: an error text as the tool's result.
              function: () => "error: clock is broken",
              parse: JSON.parse,
            },
          },
        ],
      });
      expect(await runner.finalContent()).toMatch(/^Done: .*clock is broken/);
      const legs = c.gw.records().slice(-3);
      expect(legs.map((r) => r.finishReason)).toEqual(["tool_calls", "tool_calls", "stop"]);
      expect(legs[1].parentRequestId).toBe(legs[0].id);
      expect(legs[2].parentRequestId).toBe(legs[1].id);
      const first = (await runner.allChatCompletions())[0];
      expect(first?.choices[0]?.message.content).toBe("Let me look. ");
    } finally {
      c.fake.setScript(undefined);
    }
  });

  it("tool_choice none offers no tools; results naming unknown ids are a 400 naming the message", async () => {
    const r = await c.gw.openai().chat.completions.create({
      model: "claude-code",
      messages: [{ role: "user", content: "no tools please" }],
      tools: [weather],
      tool_choice: "none",
    });
    expect(r.choices[0]?.message.content).toBe("Echo: no tools please");
    expect(offered()).toEqual([]);
    const e = await c.gw
      .openai()
      .chat.completions.create({
        model: "claude-code",
        messages: [
          { role: "user", content: "hi" },
          { role: "tool", tool_call_id: "call_nobody", content: "x" },
        ],
        tools: [weather],
      })
      .catch((x) => x);
    expect(e).toBeInstanceOf(OpenAI.BadRequestError);
    expect(e.param).toBe("messages[1].tool_call_id");
  });

  it("a client that never comes back: the process ends after CLAUDE_TOOL_WAIT_MS; coming back later still gets an answer", async () => {
    const messages = [{ role: "user" as const, content: "slow client [[fake:tool=get_weather]]" }];
    const first = await c.gw.openai().chat.completions.create({ model: "claude-code", messages, tools: [weather] });
    const call = first.choices[0]?.message.tool_calls?.[0];
    expect(first.choices[0]?.finish_reason).toBe("tool_calls");
    expect((await processStats(c.gw)).waiting).toBe(1);
    await eventually(async () => (await processStats(c.gw)).waiting === 0, 10_000);
    await eventually(async () => (await turnPids(c)).length === 0, 3_000);
    const leg = await eventually(() =>
      c.gw.records().find((r) => r.id === first.id.replace(/^chatcmpl-/, "") && r.toolWaitMs),
    );
    expect(leg.toolWaitMs).toBeGreaterThanOrEqual(3_500);
    c.fake.setScript((req) => (req.body.tools?.length ? { type: "reply", text: "Rebuilt" } : undefined));
    try {
      const late = await c.gw.openai().chat.completions.create({
        model: "claude-code",
        messages: [
          ...messages,
          { role: "assistant", content: null, tool_calls: [call as never] },
          { role: "tool", tool_call_id: call?.id as string, content: "cloudy" },
        ],
        tools: [weather],
      });
      expect(late.choices[0]?.message.content).toBe("Rebuilt");
      const sent = JSON.stringify(c.fake.mainRequests().at(-1)?.body.messages);
      expect(sent).toContain("cloudy");
      expect(sent).toContain("get_weather");
    } finally {
      c.fake.setScript(undefined);
    }
  });

  it("a gateway restart between the legs: the turn is rebuilt from the messages", async () => {
    const messages = [{ role: "user" as const, content: "restart me [[fake:tool=get_weather]]" }];
    const first = await c.gw.openai().chat.completions.create({ model: "claude-code", messages, tools: [weather] });
    const call = first.choices[0]?.message.tool_calls?.[0];
    await c.restart();
    c.fake.setScript((req) => (req.body.tools?.length ? { type: "reply", text: "Rebuilt" } : undefined));
    const late = await c.gw.openai().chat.completions.create({
      model: "claude-code",
      messages: [
        ...messages,
        { role: "assistant", content: null, tool_calls: [call as never] },
        { role: "tool", tool_call_id: call?.id as string, content: "snow" },
      ],
      tools: [weather],
    });
    c.fake.setScript(undefined);
    expect(late.choices[0]?.message.content).toBe("Rebuilt");
    expect(JSON.stringify(c.fake.mainRequests().at(-1)?.body.messages)).toContain("snow");
  });
});

describe("structured output on Claude Code", () => {
  it("answers response_format json_schema with JSON that fits it, streamed and not", async () => {
    const schema = {
      type: "object",
      properties: {
        city: { type: "string" },
        temp: { type: "number" },
        sky: { type: "string", enum: ["clear", "cloudy"] },
      },
      required: ["city", "temp", "sky"],
      additionalProperties: false,
    };
    const response_format = { type: "json_schema" as const, json_schema: { name: "weather", schema, strict: true } };
    const r = await c.gw.openai().chat.completions.create({
      model: "claude-code",
      messages: [{ role: "user", content: "weather as JSON" }],
      response_format,
    });
    expect(JSON.parse(r.choices[0]?.message.content ?? "")).toEqual({ city: "sample", temp: 1, sky: "clear" });
    const stream = await c.gw.openai().chat.completions.create({
      model: "claude-code",
      messages: [{ role: "user", content: "weather as JSON" }],
      response_format,
      stream: true,
    });
    let text = "";
    for await (const ch of stream) text += ch.choices[0]?.delta.content ?? "";
    expect(JSON.parse(text)).toEqual({ city: "sample", temp: 1, sky: "clear" });
    const structured = ((c.fake.mainRequests().at(-1)?.body.tools ?? []) as Array<{ name: string }>).map((t) => t.name);
    expect(structured).toContain("StructuredOutput");
  });

  it("a schema Claude does not satisfy ends as an OpenAI error, not as text", async () => {
    c.fake.setScript(() => ({ type: "reply", text: "not json at all" }));
    try {
      const e = await c.gw
        .openai()
        .chat.completions.create({
          model: "claude-code",
          messages: [{ role: "user", content: "json please" }],
          response_format: { type: "json_object" },
        })
        .catch((x) => x);
      expect(e).toBeInstanceOf(OpenAI.APIError);
      expect(e.code).toBe("structured_output_failed");
    } finally {
      c.fake.setScript(undefined);
    }
  });

  it("no process is left but the spares, idle sessions and cleared reusable ones", async () => {
    await eventually(async () => (await turnPids(c)).length === 0, 5_000);
    const s = await processStats(c.gw);
    expect(claudeLeaders(c.configDir).length).toBe(s.pids.spare.length + s.pids.idle.length + s.pids.reusable.length);
  });
});

describe("the Vercel AI SDK against Claude Code", () => {
  const model = () => createOpenAI({ baseURL: `${c.gw.url}/v1`, apiKey: "unused" }).chat("claude-code");

  it("generateObject gets an object that fits its zod schema", async () => {
    const { object } = await generateObject({
      model: model(),
      schema: z.object({ city: z.string(), temp: z.number(), sky: z.enum(["clear", "cloudy"]) }),
      prompt: "the weather in Oslo",
    });
    expect(object).toEqual({ city: "sample", temp: 1, sky: "clear" });
  });

  it("generateText runs a tool loop to the final text", async () => {
    const seen: unknown[] = [];
    const result = await generateText({
      model: model(),
      prompt: "weather please [[fake:tool=get_weather]]",
      tools: {
        get_weather: tool({
          description: "The weather in a city",
          inputSchema: z.object({ q: z.string() }),
          execute: async (args) => {
            seen.push(args);
            return "hail";
          },
        }),
      },
      stopWhen: stepCountIs(3),
    });
    expect(seen).toEqual([{ q: "weather please" }]);
    expect(result.text).toBe("Got: hail");
  });
});

describe("LangChain against Claude Code", () => {
  const chat = () =>
    new ChatOpenAI({
      model: "claude-code",
      apiKey: "unused",
      configuration: { baseURL: `${c.gw.url}/v1` },
      maxRetries: 0,
    });

  it("bindTools: the tool call comes back, the ToolMessage continues the same turn", async () => {
    const weatherTool = lcTool(async ({ q }: { q: string }) => `windy in ${q}`, {
      name: "get_weather",
      description: "The weather",
      schema: z.object({ q: z.string() }),
    });
    const model = chat().bindTools([weatherTool]);
    const messages: BaseMessage[] = [new HumanMessage("langchain weather [[fake:tool=get_weather]]")];
    const ai = await model.invoke(messages);
    expect(ai.tool_calls?.map((t) => [t.name, t.args])).toEqual([["get_weather", { q: "langchain weather" }]]);
    messages.push(ai);
    for (const call of ai.tool_calls ?? []) messages.push(await weatherTool.invoke(call));
    const final = await model.invoke(messages);
    expect(final.content).toBe("Got: windy in langchain weather");
  });

  it("withStructuredOutput gets an object that fits its schema", async () => {
    const out = await chat()
      .withStructuredOutput(z.object({ city: z.string(), temp: z.number() }), { method: "jsonSchema" })
      .invoke("weather in Rome as JSON");
    expect(out).toEqual({ city: "sample", temp: 1 });
  });
});

describe("schemas Claude Code refuses", () => {
  it("a response_format schema that is not a JSON Schema is a 400 on response_format", async () => {
    const e = await c.gw
      .openai()
      .chat.completions.create({
        model: "claude-code",
        messages: [{ role: "user", content: "x" }],
        response_format: { type: "json_schema", json_schema: { name: "bad", schema: { type: "no-such-type" } } },
      })
      .catch((x) => x);
    expect(e).toBeInstanceOf(OpenAI.BadRequestError);
    expect(e.param).toBe("response_format");
  });
});
