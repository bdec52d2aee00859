import { describe, expect, it } from "vitest";
import { type Piece, ThinkSplitter } from "./think";

function split(chunks: string[]) {
  const s = new ThinkSplitter();
  const pieces: Piece[] = [...chunks.flatMap((c) => s.push(c)), ...s.flush()];
  const of = (t: Piece["type"]) =>
    pieces
      .filter((p) => p.type === t)
      .map((p) => p.text)
      .join("");
  return { reasoning: of("reasoning"), text: of("text"), pieces };
}

describe("ThinkSplitter", () => {
  it("moves a leading <think> block to reasoning, with the tags cut anywhere", () => {
    const whole = "<think>\nLet me think.\n</think>\n\n42 is the answer";
    for (let size = 1; size <= whole.length; size++) {
      const chunks = [];
      for (let i = 0; i < whole.length; i += size) chunks.push(whole.slice(i, i + size));
      const r = split(chunks);
      expect(r.reasoning, `size ${size}`).toBe("Let me think.");
      expect(r.text, `size ${size}`).toBe("42 is the answer");
    }
  });

  it("leaves content without a leading block alone", () => {
    expect(split(["Hello ", "<think>x</think>"]).text).toBe("Hello <think>x</think>");
    expect(split(["<thin", "g>"]).text).toBe("<thing>");
    expect(split(["<th"]).text).toBe("<th");
    expect(split(["  ", "hi"]).text).toBe("  hi");
  });

  it("handles an empty block and an unclosed one", () => {
    expect(split(["<think>\n\n</think>\n\n", "ok"])).toMatchObject({
      text: "ok",
      reasoning: "",
      pieces: [{ type: "text", text: "ok" }],
    });
    expect(split(["<think>still ", "going </thi"])).toMatchObject({ text: "", reasoning: "still going </thi" });
    expect(split(["<think>a\n", "\nb</think>c"])).toMatchObject({ text: "c", reasoning: "a\n\nb" });
  });
});
