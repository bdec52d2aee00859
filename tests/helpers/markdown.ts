/**
 * What the docs tests read from a Markdown page: its headings (with GitHub's anchors), its links and
 * images, and its runnable examples (a fenced block right after `<!-- example: name -->`). Text in
 * fenced blocks and in code spans is neither a heading nor a link, as on GitHub.
 */
import fs from "node:fs";
import path from "node:path";

export const root = path.resolve(import.meta.dirname, "../..");

export interface Link {
  /** As written: `docs/keys.md#budgets`, `#errors`, `images/overview.png`, `https://…`. */
  target: string;
  line: number;
  image: boolean;
}

export interface Example {
  name: string;
  /** The fence's language: `sh`, `ts`… */
  lang: string;
  code: string;
  file: string;
  line: number;
}

export interface Page {
  file: string;
  /** Every anchor a link may name: the headings' slugs and `<a id>`/`<a name>` targets. */
  anchors: Set<string>;
  headings: Array<{ level: number; text: string; slug: string; line: number }>;
  links: Link[];
  examples: Example[];
}

/**
 * GitHub's anchor for a heading's text (github-slugger): lower case, every character that is not a
 * letter, mark, digit, connector (`_`), `-` or space dropped, each space a `-`.
 */
export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
    .replace(/ /g, "-");
}

/** A heading's text as GitHub renders it: code spans, links and emphasis reduced to their text. */
export function headingText(markdown: string): string {
  return markdown
    .replace(/\s+#+\s*$/, "") // closing #s
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/<[^>]+>/g, "")
    .replace(/`+([^`]*)`+/g, "$1")
    .replace(/(\*\*|\*)(\S(?:.*?\S)?)\1/g, "$2")
    .replace(/(?<!\w)(__|_)(\S(?:.*?\S)?)\1(?!\w)/g, "$2") // not inside a word: snake_case stays
    .trim();
}

const FENCE = /^\s*(`{3,}|~{3,})\s*([\w+-]*)/;
const EXAMPLE = /^<!--\s*example:\s*([\w.-]+)\s*-->$/;
const LINK = /(!?)\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g;
const HTML_ANCHOR = /<a\s+(?:[^>]*\s)?(?:id|name)="([^"]+)"/g;
const HTML_SRC = /<(?:img|a)\s+(?:[^>]*\s)?(?:src|href)="([^"]+)"/g;

export function parsePage(file: string, text = fs.readFileSync(file, "utf8")): Page {
  const page: Page = { file, anchors: new Set(), headings: [], links: [], examples: [] };
  const seen = new Map<string, number>();
  const lines = text.split("\n");
  let fence: { marker: string; lang: string; start: number; example: string | null } | null = null;
  let pendingExample: { name: string; line: number } | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const n = i + 1;
    if (fence) {
      const close = line.trim();
      if (close.startsWith(fence.marker) && /^(`+|~+)$/.test(close) && close[0] === fence.marker[0]) {
        if (fence.example) {
          const body = lines.slice(fence.start, i);
          const indent = Math.min(...body.filter((l) => l.trim()).map((l) => l.length - l.trimStart().length));
          page.examples.push({
            name: fence.example,
            lang: fence.lang,
            code: `${body.map((l) => l.slice(Number.isFinite(indent) ? indent : 0)).join("\n")}\n`,
            file,
            line: fence.start,
          });
        }
        fence = null;
      }
      continue;
    }
    const open = FENCE.exec(line);
    if (open) {
      fence = { marker: open[1] ?? "```", lang: open[2] ?? "", start: n, example: pendingExample?.name ?? null };
      pendingExample = null;
      continue;
    }
    if (pendingExample && line.trim()) {
      throw new Error(
        `${file}:${pendingExample.line}: <!-- example: ${pendingExample.name} --> is not right before a fence`,
      );
    }
    const marker = EXAMPLE.exec(line.trim());
    if (marker) {
      pendingExample = { name: marker[1] ?? "", line: n };
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      const text = headingText(heading[2] ?? "");
      const base = slug(text);
      const count = seen.get(base) ?? 0;
      seen.set(base, count + 1);
      const s = count ? `${base}-${count}` : base;
      page.headings.push({ level: heading[1]?.length ?? 1, text, slug: s, line: n });
      page.anchors.add(s);
    }
    const prose = line.replace(/(`+)(?:(?!\1).)*?\1/g, "");
    for (const m of prose.matchAll(LINK)) page.links.push({ target: m[2] ?? "", line: n, image: m[1] === "!" });
    for (const m of prose.matchAll(HTML_SRC)) page.links.push({ target: m[1] ?? "", line: n, image: true });
    for (const m of prose.matchAll(HTML_ANCHOR)) page.anchors.add(m[1] ?? "");
  }
  if (fence) throw new Error(`${file}:${fence.start}: a fence that is never closed`);
  if (pendingExample) throw new Error(`${file}:${pendingExample.line}: an example marker with no fence after it`);
  return page;
}

/** README.md and every page under docs/, as paths from the repository's root. */
export function docFiles(): string[] {
  const docs = fs
    .readdirSync(path.join(root, "docs"))
    .filter((f) => f.endsWith(".md"))
    .sort()
    .map((f) => `docs/${f}`);
  return ["README.md", ...docs];
}

/** Every runnable example of the README and docs/, by name (a name used twice is an error). */
export function examples(): Map<string, Example> {
  const all = new Map<string, Example>();
  for (const f of docFiles()) {
    for (const e of parsePage(path.join(root, f)).examples) {
      if (all.has(e.name)) throw new Error(`example "${e.name}" is marked twice (${f}:${e.line})`);
      all.set(e.name, { ...e, file: f });
    }
  }
  return all;
}

/**
 * What is wrong with one page's links: a relative link to a file that does not exist (or outside the
 * repository), or an `#anchor` no heading of the target page makes. Web links are not followed.
 */
export function brokenLinks(file: string, pages = new Map<string, Page>()): string[] {
  const load = (abs: string) => {
    let p = pages.get(abs);
    if (!p) {
      p = parsePage(abs);
      pages.set(abs, p);
    }
    return p;
  };
  const abs = path.join(root, file);
  const problems: string[] = [];
  for (const link of load(abs).links) {
    const where = `${file}:${link.line}: ${link.target}`;
    if (/^[a-z][a-z0-9+.-]*:/i.test(link.target)) continue; // https:, mailto:…
    const [rawPath = "", anchor] = link.target.split("#", 2);
    const target = rawPath ? path.resolve(path.dirname(abs), decodeURIComponent(rawPath)) : abs;
    if (path.relative(root, target).startsWith("..")) {
      problems.push(`${where}: leads outside the repository`);
      continue;
    }
    if (rawPath && !fs.existsSync(target)) {
      problems.push(`${where}: no such file`);
      continue;
    }
    if (anchor === undefined) continue;
    if (!target.endsWith(".md")) {
      problems.push(`${where}: an anchor on a file that is not Markdown`);
      continue;
    }
    if (!load(target).anchors.has(anchor)) problems.push(`${where}: no heading makes #${anchor}`);
  }
  return problems;
}
