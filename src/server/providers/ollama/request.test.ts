import { describe, expect, it } from "vitest";
import { parseChatRequest } from "../../openai/schemas";
import { parseArguments, toOllamaRequest, toolsOf } from "./request";

describe("toOllamaRequest", () => {
  it("maps roles, images, tool calls and tool results", () => {
    const req = parseChatRequest({
      model: "ollama/m",
      messages: [
        { role: "developer", content: [{ type: "text", text: "rules" }] },
        {
          role: "user",
          content: [
            { type: "text", text: "look" },
            { type: "image_url", image_url: { url: "data:image/jpeg;base64,QUJD" } },
          ],
        },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: '{"x":1}' } }],
        },
        { role: "tool", tool_call_id: "c1", content: [{ type: "text", text: "42" }] },
      ],
      presence_penalty: 0.5,
      reasoning_effort: "none",
    });
    const out = toOllamaRequest(req, "m", req.messages);
    expect(out.messages).toEqual([
      { role: "system", content: "rules" },
      { role: "user", content: "look", images: ["QUJD"] },
      { role: "assistant", content: "", tool_calls: [{ function: { name: "f", arguments: { x: 1 } } }] },
      { role: "tool", content: "42", tool_name: "f" },
    ]);
    expect(out.options).toEqual({ presence_penalty: 0.5 });
    expect(out.think).toBe(false);
    expect(out.format).toBeUndefined();
  });

  it("keeps arguments that are not a JSON object", () => {
    expect(parseArguments('{"a":[1]}')).toEqual({ a: [1] });
    expect(parseArguments("")).toEqual({});
    expect(parseArguments("[1]")).toEqual({ value: [1] });
    expect(parseArguments("not json")).toEqual({ value: "not json" });
  });
});

describe("toolsOf", () => {
  const tool = (name: string) => ({ type: "function" as const, function: { name, parameters: {} } });
  const req = (tool_choice: unknown) =>
    parseChatRequest({
      model: "ollama/m",
      messages: [{ role: "user", content: "x" }],
      tools: [tool("a"), tool("b")],
      tool_choice,
    });
  it("sends no tools for none, only the named one for a function, all of them otherwise", () => {
    expect(toolsOf(req("none"))).toEqual([]);
    expect(toolsOf(req({ type: "function", function: { name: "b" } })).map((t) => t.function.name)).toEqual(["b"]);
    expect(toolsOf(req("required"))).toHaveLength(2);
    expect(toolsOf(req("auto"))).toHaveLength(2);
    expect(toolsOf(req(undefined))).toHaveLength(2);
  });
});
