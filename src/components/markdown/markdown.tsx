"use client";
import { memo, useDeferredValue, useMemo } from "react";
import ReactMarkdown, { type Components } from "react-markdown";
import rehypeHighlight from "rehype-highlight";
import remarkGfm from "remark-gfm";
import { splitBlocks } from "./blocks";
import "./markdown.css";

// GFM (tables, task lists, strikethrough, autolinks) and code highlighting with highlight.js's common
// languages, bundled at build time (nothing is fetched). Raw HTML in the text is never rendered: it
// shows as the text it is. Only fenced blocks that name a language are highlighted (no guessing).
const remarkPlugins = [remarkGfm];
const rehypePlugins = [rehypeHighlight];

const components: Components = {
  // A wide table scrolls inside the message instead of widening the page.
  table: ({ node: _node, ...props }) => (
    <div className="md-table">
      <table {...props} />
    </div>
  ),
  a: ({ node: _node, ...props }) => <a {...props} target="_blank" rel="noopener noreferrer nofollow" />,
};

/** One block of the text; memoized, so a block that is final is not parsed again. */
const Block = memo(function Block({ text }: { text: string }) {
  return (
    <ReactMarkdown remarkPlugins={remarkPlugins} rehypePlugins={rehypePlugins} components={components}>
      {text}
    </ReactMarkdown>
  );
});

/**
 * A model's answer as Markdown. While a reply streams only its last block is parsed again on each
 * update (blocks.ts); finished replies are not parsed again at all (bench/markdown.perf.ts: the cost).
 * The text is a deferred value: when deltas come faster than they can be rendered, React drops the
 * stale renders and shows the newest text, and typing elsewhere on the page stays responsive.
 */
export const Markdown = memo(function Markdown({ text, className = "" }: { text: string; className?: string }) {
  const shown = useDeferredValue(text);
  const blocks = useMemo(() => splitBlocks(shown), [shown]);
  return (
    <div className={`md ${className}`} data-testid="markdown">
      {blocks.map((block, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a block's place never changes as the text grows
        <Block key={i} text={block} />
      ))}
    </div>
  );
});
