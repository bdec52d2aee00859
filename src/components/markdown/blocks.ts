/**
 * Splits Markdown into top-level blocks that can be parsed on their own, so a streaming answer
 * re-parses only its last block: the blocks before it seldom change as the text grows (only when a
 * new line joins the block above, as "2" becoming "2." joins a list) and their rendering is memoized.
 *
 * A block ends at a blank line outside a fenced code block, unless what follows continues it: an
 * indented line (a list item's paragraph, indented code), another item of a list, or a quote after a
 * quote. Text with link reference definitions or footnotes (which reach across blocks), or with an HTML
 * block that may hold blank lines (`<pre>`, `<!--`…), is one block. Splitting less is always safe: a
 * block is parsed as the whole text would be; only the time it takes changes.
 */
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const BLANK = /^\s*$/;
const LIST_ITEM = /^ {0,3}([-*+]|\d{1,9}[.)])(\s|$)/;
const QUOTE = /^ {0,3}>/;
const DEFINITION = /^ {0,3}\[[^\]]+\]:/m;
const HTML_BLOCK = /^ {0,3}<(script|pre|style|textarea|!--|\?|![A-Z]|!\[CDATA\[)/im;

export function splitBlocks(text: string): string[] {
  if (DEFINITION.test(text) || HTML_BLOCK.test(text)) return [text];
  const lines = text.split("\n");
  const blocks: string[] = [];
  let current: string[] = [];
  let fence: string | null = null;
  let pendingBlank = 0;
  for (const line of lines) {
    if (fence === null && BLANK.test(line)) {
      pendingBlank++;
      continue;
    }
    if (pendingBlank > 0) {
      const continues =
        /^\s/.test(line) ||
        (LIST_ITEM.test(line) && current.some((l) => LIST_ITEM.test(l))) ||
        (QUOTE.test(line) && current.some((l) => QUOTE.test(l)));
      if (continues || current.length === 0) {
        for (let i = 0; i < pendingBlank; i++) current.push("");
      } else {
        blocks.push(current.join("\n"));
        current = [];
      }
      pendingBlank = 0;
    }
    current.push(line);
    const m = FENCE.exec(line);
    if (m) {
      const mark = m[1] ?? "";
      if (fence === null) fence = mark;
      else if (mark[0] === fence[0] && mark.length >= fence.length && line.trim() === mark) fence = null;
    }
  }
  for (let i = 0; i < pendingBlank; i++) current.push("");
  if (current.length > 0) blocks.push(current.join("\n"));
  return blocks;
}
