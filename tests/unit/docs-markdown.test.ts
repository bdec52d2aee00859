// tests/helpers/markdown.ts: GitHub's heading anchors, and what counts as a link or an example.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { brokenLinks, headingText, parsePage, root, slug } from "../helpers/markdown";

describe("slug (GitHub's heading anchors)", () => {
  it("matches the anchors GitHub makes", () => {
    const cases: Array<[string, string]> = [
      ["Quick start", "quick-start"],
      ["The console (`/dashboard`)", "the-console-dashboard"],
      ["`/v1/usage`", "v1usage"],
      [
        "Claude Code start-up and load: cold, spare, reused, warm",
        "claude-code-start-up-and-load-cold-spare-reused-warm",
      ],
      ["API keys, limits and budgets", "api-keys-limits-and-budgets"],
      ["Codex, the Agents SDK — and **more**", "codex-the-agents-sdk--and-more"],
      ["snake_case_stays", "snake_case_stays"],
      ["[A link](x.md) in a heading", "a-link-in-a-heading"],
    ];
    for (const [heading, anchor] of cases) expect(slug(headingText(heading)), heading).toBe(anchor);
  });
});

describe("parsePage", () => {
  const text = [
    "# Title",
    "## Errors",
    "## Errors",
    "See [the errors](#errors) and ![a picture](images/x.png), not `[code](nowhere.md)`.",
    '<a id="custom"></a>',
    "",
    "<!-- example: hello -->",
    "```sh",
    "echo hi",
    "```",
    "",
    "- in a list:",
    "",
    "  <!-- example: nested -->",
    "  ```ts",
    "  console.log(1);",
    "  ```",
    "",
    "```md",
    "# not a heading",
    "[not a link](missing.md)",
    "```",
  ].join("\n");

  it("reads headings (a repeated one numbered), links and pictures outside code, and marked examples", () => {
    const page = parsePage("x.md", text);
    expect([...page.anchors]).toEqual(["title", "errors", "errors-1", "custom"]);
    expect(page.links.map((l) => [l.target, l.image])).toEqual([
      ["#errors", false],
      ["images/x.png", true],
    ]);
    expect(page.examples.map((e) => [e.name, e.lang, e.code])).toEqual([
      ["hello", "sh", "echo hi\n"],
      ["nested", "ts", "console.log(1);\n"],
    ]);
  });

  it("refuses an example marker that is not right before a fence", () => {
    expect(() => parsePage("x.md", "<!-- example: lost -->\nText.\n")).toThrow(
      /example: lost --> is not right before a fence/,
    );
    expect(() => parsePage("x.md", "```sh\nopen\n")).toThrow(/never closed/);
  });
});

describe("brokenLinks", () => {
  it("names a missing file, a missing anchor and a link out of the repository; web links pass", () => {
    // A page that is only in memory, as if it were docs/probe.md.
    const file = path.join(root, "docs", "probe.md");
    const text = [
      "[ok](../README.md#quick-start) [web](https://example.com/x#y) [page](keys.md) [self](#probe)",
      "[file](nope.md) [anchor](../README.md#nope) [out](../../x.md) [picture](images/none.png)",
      "# Probe",
    ].join("\n");
    expect(brokenLinks("docs/probe.md", new Map([[file, parsePage(file, text)]]))).toEqual([
      "docs/probe.md:2: nope.md: no such file",
      "docs/probe.md:2: ../README.md#nope: no heading makes #nope",
      "docs/probe.md:2: ../../x.md: leads outside the repository",
      "docs/probe.md:2: images/none.png: no such file",
    ]);
  });
});
