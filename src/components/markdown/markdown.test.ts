import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { Markdown } from "./markdown";

const html = (text: string) => renderToStaticMarkup(createElement(Markdown, { text }));

describe("Markdown answers", () => {
  it("renders GFM: tables (with alignment), strikethrough, task lists, autolinks", () => {
    const out = html("| a | b |\n| --- | ---: |\n| 1 | 2 |\n\n~~old~~ new\n\n- [x] done\n\nsee https://example.com");
    expect(out).toContain('<div class="md-table"><table>');
    expect(out).toMatch(/<th[^>]*>a<\/th>/);
    expect(out).toMatch(/<td style="text-align:right">2<\/td>/);
    expect(out).toContain("<del>old</del>");
    expect(out).toMatch(/<input type="checkbox" disabled="" checked=""\/>/);
    expect(out).toContain('<a href="https://example.com" target="_blank" rel="noopener noreferrer nofollow">');
  });

  it("highlights fenced code that names its language, at render time (no download)", () => {
    const out = html("```ts\nconst x: number = 1; // one\n```");
    expect(out).toContain('<code class="hljs language-ts">');
    expect(out).toContain('<span class="hljs-keyword">const</span>');
    expect(out).toContain('<span class="hljs-comment">// one</span>');
  });

  it("leaves code without a language (or an unknown one) plain, without guessing", () => {
    expect(html("```\nconst x = 1\n```")).toContain("<pre><code>const x = 1\n</code></pre>");
    expect(html("```nosuchlang\nconst x = 1\n```")).not.toContain("hljs-keyword");
  });

  it("never renders raw HTML: it shows as text", () => {
    const out = html('hi <img src="x" onerror="alert(1)"> <script>alert(2)</script>\n\n<div onclick="x()">block</div>');
    expect(out).not.toMatch(/<img|<script|<div onclick/);
    expect(out).toContain("&lt;img src=&quot;x&quot; onerror=&quot;alert(1)&quot;&gt;");
    expect(out).toContain("&lt;script&gt;");
  });

  it("drops javascript: links", () => {
    const out = html("[click](javascript:alert(1))");
    expect(out).not.toContain("javascript:");
  });

  it("renders an unfinished stream (an open code fence, half a table) without failing", () => {
    expect(html("| a | b |\n| --- | --- |\n| 1 |")).toContain("<td>1</td>");
    expect(html("```python\ndef f(")).toContain('<code class="hljs language-python">');
  });
});
