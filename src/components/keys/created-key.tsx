"use client";
import { useRef, useState } from "react";

/** A new key's text, shown this once, with a copy button. */
export function CreatedKey({ name, text, onDone }: { name: string; text: string; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  const field = useRef<HTMLInputElement>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      field.current?.select(); // no clipboard API (an insecure context): select it for Ctrl+C
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
      <div className="flex flex-wrap gap-2">
        <input
          ref={field}
          readOnly
          value={text}
          aria-label="Key"
          data-testid="created-key-text"
          onFocus={(e) => e.currentTarget.select()}
          className="min-w-0 flex-1 rounded border border-zinc-700 bg-zinc-950 px-2 py-1.5 font-mono text-sm"
        />
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
