import { describe, expect, it } from "vitest";
import type { ChatMessage } from "../../openai/schemas";
import { checkModelName } from "./model-name";
import { buildPrompt } from "./prompt";

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
});

describe("checkModelName", () => {
  it("takes plain model names", () => {
    for (const ok of ["sonnet", "claude-opus-4-1", "opus[1m]", "claude-3.5:x"])
      expect(() => checkModelName(ok)).not.toThrow();
  });

  it("refuses model names that are not plain names", () => {
    for (const bad of ["--help", "a b", "x;rm", "-x", "", "x".repeat(200)])
      expect(() => checkModelName(bad)).toThrow(/model/i);
  });
});
