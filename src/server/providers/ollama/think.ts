/**
 * Some models (and Ollama versions, when `think` is not set) put their reasoning inline as a leading
 * `<think>…</think>` block of the content. This splits it off as reasoning, chunk by chunk: the tags
 * may be cut anywhere between chunks. Only a block at the very start (after whitespace) counts.
 */
const OPEN = "<think>";
const CLOSE = "</think>";

export interface Piece {
  type: "text" | "reasoning";
  text: string;
}

/** The length of the longest end of `s` that is a start of `tag`. */
function partialTail(s: string, tag: string): number {
  for (let n = Math.min(s.length, tag.length - 1); n > 0; n--) if (tag.startsWith(s.slice(-n))) return n;
  return 0;
}

export class ThinkSplitter {
  private state: "start" | "think" | "after" | "content" = "start";
  private buf = "";
  private thought = false;

  push(text: string): Piece[] {
    if (this.state === "content") return text ? [{ type: "text", text }] : [];
    this.buf += text;
    const out: Piece[] = [];
    if (this.state === "start") {
      const lead = this.buf.trimStart();
      if (lead.length < OPEN.length && OPEN.startsWith(lead)) return out; // maybe the opening tag
      if (!lead.startsWith(OPEN)) return this.toContent(out);
      this.state = "think";
      this.buf = lead.slice(OPEN.length);
    }
    if (this.state === "think") {
      if (!this.thought) this.buf = this.buf.trimStart();
      const end = this.buf.indexOf(CLOSE);
      if (end < 0) {
        // hold back what may be the closing tag, and trailing whitespace (it may end the block)
        const tag = partialTail(this.buf, CLOSE);
        const body = this.buf.slice(0, this.buf.length - tag);
        const thought = body.trimEnd();
        this.buf = this.buf.slice(thought.length);
        if (thought) out.push({ type: "reasoning", text: thought });
        this.thought ||= thought.length > 0;
        return out;
      }
      const thought = this.buf.slice(0, end).trimEnd();
      if (thought) out.push({ type: "reasoning", text: thought });
      this.buf = this.buf.slice(end + CLOSE.length);
      this.state = "after";
    }
    // after the block: drop the blank lines that separate it from the answer
    this.buf = this.buf.trimStart();
    if (!this.buf) return out;
    return this.toContent(out);
  }

  /** What is still held back when the stream ends. */
  flush(): Piece[] {
    const rest = this.buf;
    this.buf = "";
    if (!rest) return [];
    if (this.state === "start") return [{ type: "text", text: rest }];
    if (this.state === "think" && rest.trim()) return [{ type: "reasoning", text: rest }];
    return [];
  }

  private toContent(out: Piece[]): Piece[] {
    this.state = "content";
    if (this.buf) out.push({ type: "text", text: this.buf });
    this.buf = "";
    return out;
  }
}
