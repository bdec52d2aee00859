"use client";
import { useRef, useState } from "react";

/** A new key's text, shown this once (as text, selectable in one click), with a copy button. */
export function CreatedKey({ name, text, onDone }: { name: string; text: string; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  const field = useRef<HTMLElement>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // no clipboard API (plain http to a remote host): select the text, so Ctrl+C takes it
      const range = document.createRange();
      if (field.current) range.selectNodeContents(field.current);
      window.getSelection()?.removeAllRanges();
      window.getSelection()?.addRange(range);
      document.execCommand?.("copy");
    }
    setCopied(true);
  };
  return (
    <section
      aria-label="New key"
      className="flex flex-col gap-2 rounded-lg border border-emerald-800 bg-emerald-950/40 p-4"
      data-testid="created-key"
    >
      <p className="text-sm text-emerald-200">
        The key <strong>{name}</strong> was created. Copy it now: it is not shown again.
      </p>
      <div className="flex flex-wrap items-center gap-2">
        <code
          ref={field}
          data-testid="created-key-text"
          className="min-w-0 flex-1 select-all break-all rounded border border-zinc-700 bg-zinc-950 px-2 py-1.5 font-mono text-sm"
        >
          {text}
        </code>
        <button
          type="button"
          onClick={copy}
          className="rounded bg-emerald-700 px-3 py-1.5 text-sm hover:bg-emerald-600"
        >
          {copied ? "Copied" : "Copy"}
        </button>
        <button
          type="button"
          onClick={onDone}
          className="rounded px-3 py-1.5 text-sm text-zinc-400 hover:text-zinc-100"
        >
          Done
        </button>
      </div>
    </section>
  );
}
