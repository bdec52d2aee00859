import { describe, expect, it } from "vitest";
import type { ChatMessage } from "../../openai/schemas";
import { buildArgs } from "./args";
import { buildPrompt, stdinMessage } from "./prompt";

const png = "iVBORw0KGgo=";
const convo: ChatMessage[] = [
  { role: "system", content: "Be brief." },
  { role: "user", content: "first" },
  { role: "assistant", content: "answer one" },
  {
    role: "user",
    content: [
      { type: "text", text: "second" },
      { type: "image_url", image_url: { url: `data:image/png;base64,${png}` } },
    ],
  },
];

describe("buildPrompt", () => {
  it("resuming: only what follows the last assistant message", () => {
    const p = buildPrompt(convo, true);
    expect(p.systemPrompt).toBe("Be brief.");
    expect(p.blocks).toEqual([
      { type: "text", text: "second" },
      { type: "image", source: { type: "base64", media_type: "image/png", data: png } },
    ]);
  });

  it("not resuming: earlier turns as a delimited transcript before the new message", () => {
    const p = buildPrompt(convo, false);
    const first = p.blocks[0];
    expect(first?.type).toBe("text");
    const t = first?.type === "text" ? first.text : "";
    expect(t).toMatch(/^<conversation_history>/);
    expect(t).toContain("[user]\nfirst");
    expect(t).toContain("[assistant]\nanswer one");
    expect(t).toMatch(/<\/conversation_history>$/);
    expect(p.blocks.slice(1)).toEqual(buildPrompt(convo, true).blocks);
  });

  it("a single user message is sent as it is; an assistant last message is refused", () => {
    expect(buildPrompt([{ role: "user", content: "hi" }], false).blocks).toEqual([{ type: "text", text: "hi" }]);
    expect(() =>
      buildPrompt(
        [
          { role: "user", content: "hi" },
          { role: "assistant", content: "x" },
        ],
        false,
      ),
    ).toThrow(/last message/);
  });

  it("the stdin line is one stream-json user message", () => {
    const line = stdinMessage([{ type: "text", text: "$(rm -rf /)\n--flag" }]);
    expect(line.endsWith("\n")).toBe(true);
    expect(line.trim().split("\n")).toHaveLength(1);
    expect(JSON.parse(line)).toEqual({
      type: "user",
      message: { role: "user", content: [{ type: "text", text: "$(rm -rf /)\n--flag" }] },
    });
  });
});

describe("buildArgs", () => {
  const base = {
    model: null,
    systemPromptFile: null,
    systemPromptMode: "append" as const,
    resume: null,
    newSessionId: null,
    skipPermissions: false,
  };

  it("has the stream-json flags, no model for the default, and never the prompt", () => {
    expect(buildArgs(base)).toEqual([
      "-p",
      "--input-format",
      "stream-json",
      "--output-format",
      "stream-json",
      "--verbose",
      "--include-partial-messages",
    ]);
  });

  it("attaches values with = so none can be read as a flag", () => {
    const args = buildArgs({
      ...base,
      model: "sonnet",
      systemPromptFile: "/tmp/x/system-prompt.txt",
      newSessionId: "u-1",
    });
    expect(args).toContain("--model=sonnet");
    expect(args).toContain("--session-id=u-1");
    expect(args).toContain("--append-system-prompt-file=/tmp/x/system-prompt.txt");
    expect(args).not.toContain("--dangerously-skip-permissions");
    expect(buildArgs({ ...base, resume: "u-2", newSessionId: "u-3" })).toContain("--resume=u-2");
    expect(buildArgs({ ...base, systemPromptFile: "/f", systemPromptMode: "replace" })).toContain(
      "--system-prompt-file=/f",
    );
    expect(buildArgs({ ...base, skipPermissions: true })).toContain("--dangerously-skip-permissions");
  });

  it("refuses model names that are not plain names", () => {
    for (const bad of ["--help", "a b", "x;rm", "-x"])
      expect(() => buildArgs({ ...base, model: bad })).toThrow(/model/i);
  });
});
