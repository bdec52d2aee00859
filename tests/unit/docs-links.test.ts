/**
 * The README and docs/ lead somewhere: every relative link names a file of the repository and every
 * #anchor a heading of its page (GitHub's anchors); the README's map names every page of docs/; every
 * picture in docs/images/ is shown by a page.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { brokenLinks, docFiles, type Page, parsePage, root } from "../helpers/markdown";

describe("the README and docs/", () => {
  const pages = new Map<string, Page>();

  for (const file of docFiles()) {
    it(`${file}: every relative link and #anchor leads somewhere`, () => {
      expect(brokenLinks(file, pages)).toEqual([]);
    });
  }

  it("the README links to every page of docs/", () => {
    const linked = new Set(parsePage(path.join(root, "README.md")).links.map((l) => l.target.split("#")[0]));
    const missing = docFiles()
      .filter((f) => f.startsWith("docs/"))
      .filter((f) => !linked.has(f));
    expect(missing).toEqual([]);
  });

  it("every picture in docs/images/ is shown by a page", () => {
    const shown = new Set<string>();
    for (const file of docFiles()) {
      for (const link of parsePage(path.join(root, file)).links) {
        if (link.image) shown.add(path.relative(root, path.resolve(path.dirname(path.join(root, file)), link.target)));
      }
    }
    const dir = path.join(root, "docs", "images");
    const files = fs.existsSync(dir) ? fs.readdirSync(dir).map((f) => `docs/images/${f}`) : [];
    expect(files.filter((f) => !shown.has(f))).toEqual([]);
  });
});
