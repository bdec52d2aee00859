"use client";
import { memo } from "react";
import ReactMarkdown, { type Components } from "react-markdown";
import rehypeHighlight from "rehype-highlight";
import remarkGfm from "remark-gfm";
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

/**
 * A model's answer as Markdown. Memoized: while one reply streams, finished replies are not parsed
 * again; the streaming one is re-parsed per update (see bench/markdown.bench.ts for the cost).
 */
export const Markdown = memo(function Markdown({ text, className = "" }: { text: string; className?: string }) {
  return (
    <div className={`md ${className}`} data-testid="markdown">
      <ReactMarkdown remarkPlugins={remarkPlugins} rehypePlugins={rehypePlugins} components={components}>
        {text}
      </ReactMarkdown>
    </div>
  );
});
