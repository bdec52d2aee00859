import { createElement, Fragment } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import ReactMarkdown from "react-markdown";
import rehypeHighlight from "rehype-highlight";
import remarkGfm from "remark-gfm";
import { describe, expect, it } from "vitest";
import { splitBlocks } from "./blocks";

/** The whole text parsed at once, as the reference (newlines between tags are not content). */
const render = (text: string) =>
  renderToStaticMarkup(
    createElement(ReactMarkdown, { remarkPlugins: [remarkGfm], rehypePlugins: [rehypeHighlight] }, text),
  ).replace(/>\n</g, "><");
const renderBlocks = (text: string) =>
  renderToStaticMarkup(
    createElement(
      Fragment,
      null,
      ...splitBlocks(text).map((b) =>
        createElement(ReactMarkdown, { remarkPlugins: [remarkGfm], rehypePlugins: [rehypeHighlight] }, b),
      ),
    ),
  ).replace(/>\n</g, "><");

/** Every third length, and every length around a line break (where the split decisions are made). */
const prefixLengths = (text: string) =>
  [...text].map((_, i) => i + 1).filter((n) => n % 3 === 0 || n === text.length || /\n/.test(text.slice(n - 2, n + 1)));

const DOCS = {
  prose: "# Title\n\nFirst paragraph with **bold**.\n\nSecond\nparagraph.\n\n---\n\nLast.",
  code: "Intro:\n\n```python\ndef f():\n\n    return 1\n\n\n# done\n```\n\nAfter the code.",
  tildes: "~~~\na\n\n```\nstill code\n~~~\n\nout",
  table: "| a | b |\n| --- | ---: |\n| 1 | 2 |\n\nBelow the table.\n\n| c |\n| - |\n| 3 |",
  looseList: "Steps:\n- one\n- two\n\n- three\n\n  more about three\n\n      indented code\n\nDone.",
  ordered: "1. a\n\n2. b\n\n10. c\n\nText\n\n3. again",
  quote: "> a\n\n> b\n\nnot a quote",
  nestedFence: "- item\n\n  ```js\n  const a = 1;\n\n  const b = 2;\n  ```\n\n- next",
  definitions: "See [the docs][d].\n\nMore text.\n\n[d]: https://example.com",
  footnote: "A claim.[^1]\n\nMore.\n\n[^1]: The source.",
  htmlComment: "<!--\n\nhidden\n-->\n\nshown",
  trailing: "para\n\n\n",
  openFence: "text\n\n```ts\nconst x = 1;\n\nconst y",
};

describe("splitting Markdown into blocks for streaming", () => {
  for (const [name, text] of Object.entries(DOCS)) {
    it(`renders ${name} exactly as the whole text, at every length (each streamed prefix)`, () => {
      for (const n of prefixLengths(text)) {
        const prefix = text.slice(0, n);
        expect(renderBlocks(prefix), JSON.stringify(prefix)).toBe(render(prefix));
      }
    });
  }

  it("splits at blank lines between independent blocks, not inside code, lists or quotes", () => {
    expect(splitBlocks(DOCS.prose)).toHaveLength(5);
    expect(splitBlocks(DOCS.code)).toEqual([
      "Intro:",
      "```python\ndef f():\n\n    return 1\n\n\n# done\n```",
      "After the code.",
    ]);
    expect(splitBlocks(DOCS.looseList)).toHaveLength(2);
    expect(splitBlocks(DOCS.quote)).toEqual(["> a\n\n> b", "not a quote"]);
    expect(splitBlocks(DOCS.definitions)).toHaveLength(1);
  });

  it("earlier blocks seldom change as the text grows, so their rendering is reused", () => {
    const text = Object.values(DOCS).slice(0, 7).join("\n\n");
    let previous: string[] = [];
    let changed = 0;
    for (let n = 1; n <= text.length; n++) {
      const blocks = splitBlocks(text.slice(0, n));
      // A line can still join the block above it ("2" becoming "2." joins a list): rare.
      if (JSON.stringify(blocks.slice(0, previous.length - 1)) !== JSON.stringify(previous.slice(0, -1))) changed++;
      previous = blocks;
    }
    expect(previous.length).toBeGreaterThan(15);
    expect(changed / text.length).toBeLessThan(0.02);
  });
});
