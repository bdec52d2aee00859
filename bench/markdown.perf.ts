// What re-rendering a streamed Markdown answer costs (src/components/markdown/markdown.tsx). For each
// prefix of an answer (prose, a table, highlighted code blocks) in 16-character deltas, as the
// playground receives it, times (a) parsing and highlighting the whole text again, and (b) what the
// console does: split it into blocks (blocks.ts) and parse only the last one, the others being
// memoized React elements that are not rendered again. Prints the time per update for both.
//   npx vitest run --config bench/vitest.config.ts bench/markdown.perf.ts
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import ReactMarkdown from "react-markdown";
import rehypeHighlight from "rehype-highlight";
import remarkGfm from "remark-gfm";
import { expect, test } from "vitest";
import { splitBlocks } from "../src/components/markdown/blocks";

const CODE = [
  "```ts",
  "export async function retry<T>(fn: () => Promise<T>, tries = 3): Promise<T> {",
  "  let last: unknown;",
  "  for (let i = 0; i < tries; i++) {",
  "    try {",
  "      return await fn(); // the happy path",
  "    } catch (e) {",
  "      last = e;",
  "      await new Promise((r) => setTimeout(r, 2 ** i * 100));",
  "    }",
  "  }",
  "  throw last;",
  "}",
  "```",
].join("\n");
const TABLE = [
  "| model | provider | p50 | cost |",
  "| --- | --- | ---: | ---: |",
  ...Array.from(
    { length: 12 },
    (_, i) => `| model-${i} | ${i % 2 ? "ollama" : "claude-code"} | ${100 + i} ms | $0.0${i} |`,
  ),
].join("\n");
const PROSE =
  "A retry loop with **exponential backoff** keeps a flaky call from failing the whole run. " +
  "It waits `100 ms`, then `200 ms`, then `400 ms`; see [the docs](https://example.com) for more.";
const PART = [PROSE, CODE, PROSE, TABLE, PROSE, CODE.replace("```ts", "```python"), PROSE, CODE, PROSE].join("\n\n");
const ANSWER = [PART, PART, PART].join("\n\n");

const rank = (sorted: number[], p: number) => sorted[Math.max(0, Math.ceil((sorted.length * p) / 100) - 1)] ?? 0;
const md = (text: string) =>
  renderToStaticMarkup(
    createElement(ReactMarkdown, { remarkPlugins: [remarkGfm], rehypePlugins: [rehypeHighlight] }, text),
  );

function time(name: string, render: (prefix: string) => void, step: number): void {
  const times: number[] = [];
  for (let n = step; n < ANSWER.length + step; n += step) {
    const prefix = ANSWER.slice(0, n);
    const t = performance.now();
    render(prefix);
    times.push(performance.now() - t);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const total = times.reduce((a, b) => a + b, 0);
  const last = times.slice(-10).reduce((a, b) => a + b, 0) / 10;
  console.log(
    `markdown ${name}: ${ANSWER.length} chars, ${times.length} updates: per update median ${rank(sorted, 50).toFixed(2)} ms, ` +
      `p95 ${rank(sorted, 95).toFixed(2)} ms, last ten ${last.toFixed(2)} ms; total ${total.toFixed(0)} ms`,
  );
}

test("re-rendering a streamed Markdown answer", () => {
  md(ANSWER); // warm up (JIT, highlight.js grammars)
  time("whole text", (prefix) => md(prefix), 16);
  time("last block", (prefix) => md(splitBlocks(prefix).at(-1) ?? ""), 16);
  expect(splitBlocks(ANSWER).length).toBeGreaterThan(20);
});
