import { describe, expect, it } from "vitest";
import { ApiError } from "../openai/errors";
import { parseResponsesRequest } from "../openai/responses-schema";
import { toChatRequest } from "./map";

const map = (body: Record<string, unknown>) => toChatRequest(parseResponsesRequest({ model: "ollama/m", ...body }));

function badRequestOf(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error("no error");
}

describe("Responses request → chat request", () => {
  it("maps instructions and a string input to a system and a user message", () => {
    expect(map({ instructions: "Be brief.", input: "Hi" }).messages).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "Hi" },
    ]);
  });

  it("maps message items, function calls (joined to the assistant turn) and their outputs; drops reasoning", () => {
    const req = map({
      input: [
        { role: "developer", content: [{ type: "input_text", text: "Rules" }] },
        {
          type: "message",
          role: "user",
          content: [
            { type: "input_text", text: "Look:" },
            { type: "input_image", image_url: "data:image/png;base64,AAAA" },
          ],
        },
        { type: "reasoning", id: "rs_1", summary: [], encrypted_content: "x" },
        { type: "message", role: "assistant", content: [{ type: "output_text", text: "Let me check." }] },
        { type: "function_call", call_id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' },
        { type: "function_call", call_id: "call_2", name: "get_time", arguments: "{}" },
        { type: "function_call_output", call_id: "call_1", output: "sunny" },
        { type: "function_call_output", call_id: "call_2", output: [{ type: "input_text", text: "noon" }] },
      ],
    });
    expect(req.messages).toEqual([
      { role: "developer", content: "Rules" },
      {
        role: "user",
        content: [
          { type: "text", text: "Look:" },
          { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } },
        ],
      },
      {
        role: "assistant",
        content: "Let me check.",
        tool_calls: [
          { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
          { id: "call_2", type: "function", function: { name: "get_time", arguments: "{}" } },
        ],
      },
      { role: "tool", tool_call_id: "call_1", content: "sunny" },
      { role: "tool", tool_call_id: "call_2", content: "noon" },
    ]);
  });

  it("maps options: max_output_tokens, sampling, text.format, reasoning.effort, function tools and tool_choice", () => {
    const req = map({
      input: "x",
      max_output_tokens: 50,
      temperature: 0.2,
      top_p: 0.9,
      text: { format: { type: "json_schema", name: "out", schema: { type: "object" }, strict: true } },
      reasoning: { effort: "low" },
      tools: [{ type: "function", name: "f", description: "d", parameters: { type: "object" } }],
      tool_choice: { type: "function", name: "f" },
    });
    expect(req).toMatchObject({
      max_completion_tokens: 50,
      temperature: 0.2,
      top_p: 0.9,
      response_format: { type: "json_schema", json_schema: { name: "out", schema: { type: "object" }, strict: true } },
      reasoning_effort: "low",
      tools: [{ type: "function", function: { name: "f", description: "d", parameters: { type: "object" } } }],
      tool_choice: { type: "function", function: { name: "f" } },
    });
    expect(map({ input: "x", text: { format: { type: "json_object" } } }).response_format).toEqual({
      type: "json_object",
    });
  });

  it("accepts what Codex sends and serves only the function tools (namespace, web_search are not used)", () => {
    const req = map({
      input: [{ type: "message", role: "user", content: [{ type: "input_text", text: "hi" }] }],
      tools: [
        { type: "function", name: "exec_command", description: "run", strict: false, parameters: { type: "object" } },
        { type: "namespace", name: "multi_agent_v1", description: "agents", tools: [] },
        { type: "web_search", external_web_access: false },
      ],
      tool_choice: "auto",
      parallel_tool_calls: true,
      reasoning: { summary: "auto" },
      store: false,
      include: ["reasoning.encrypted_content"],
      prompt_cache_key: "k",
      client_metadata: { a: "b" },
    });
    expect(req.tools?.map((t) => t.function.name)).toEqual(["exec_command"]);
    expect(req.tool_choice).toBe("auto");
  });

  it("refuses what it cannot serve with a 400 naming the parameter", () => {
    const file = badRequestOf(() =>
      map({ input: [{ role: "user", content: [{ type: "input_image", file_id: "f" }] }] }),
    );
    expect(file.status).toBe(400);
    expect(file.param).toBe("input[0].content[0].file_id");
    const remote = badRequestOf(() =>
      map({ input: [{ role: "user", content: [{ type: "input_image", image_url: "https://x/y.png" }] }] }),
    );
    expect(remote.param).toBe("input[0].content[0].image_url");
    const item = badRequestOf(() => map({ input: [{ type: "item_reference", id: "x" }] }));
    expect(item.param).toBe("input[0].type");
    expect(item.message).toMatch(/message, function_call, function_call_output/);
    const tool = badRequestOf(() => map({ input: "x", tools: [{ type: "function", name: "bad name!" }] }));
    expect(tool.param).toBe("tools[0].name");
    expect(badRequestOf(() => map({ input: "x", background: "yes" })).param).toBe("background");
    expect(badRequestOf(() => map({ input: [] })).param).toBe("input");
    expect(badRequestOf(() => parseResponsesRequest({ input: "x" })).code).toBe("missing_required_parameter");
  });
});
