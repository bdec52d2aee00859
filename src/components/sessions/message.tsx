import { Markdown } from "../markdown/markdown";

/**
 * One OpenAI-style message, rendered for reading: an assistant's text as Markdown, anything else as the
 * text it is; images as a mark; tool calls.
 */
type Part = { type?: string; text?: string; image_url?: { url?: string } };
type Msg = {
  role?: string;
  content?: string | Part[] | null;
  tool_calls?: Array<{ function?: { name?: string; arguments?: string } }>;
  tool_call_id?: string;
  reasoning_content?: string;
};

const ROLE_STYLE: Record<string, string> = {
  user: "border-sky-900 bg-sky-950/30",
  assistant: "border-zinc-700 bg-zinc-900/70",
  system: "border-amber-900 bg-amber-950/20",
  developer: "border-amber-900 bg-amber-950/20",
  tool: "border-violet-900 bg-violet-950/20",
};

export function MessageView({ message }: { message: unknown }) {
  const m = (message ?? {}) as Msg;
  const role = m.role ?? "?";
  const parts: Part[] = typeof m.content === "string" ? [{ type: "text", text: m.content }] : (m.content ?? []);
  return (
    <div className={`rounded-lg border p-3 ${ROLE_STYLE[role] ?? "border-zinc-800"}`} data-testid="message">
      <div className="mb-1 text-xs uppercase tracking-wide text-zinc-400">
        {role}
        {m.tool_call_id ? ` · ${m.tool_call_id}` : ""}
      </div>
      {m.reasoning_content && (
        <details className="mb-2 text-sm text-zinc-400">
          <summary className="cursor-pointer">Reasoning</summary>
          <p className="mt-1 whitespace-pre-wrap">{m.reasoning_content}</p>
        </details>
      )}
      {parts.map((p, i) =>
        role === "assistant" && p.type !== "image_url" ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: parts have no id; their order is fixed
          <Markdown key={i} text={p.text ?? ""} />
        ) : p.type === "image_url" ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: parts have no id; their order is fixed
          <span key={i} className="mr-2 inline-block rounded bg-zinc-800 px-2 py-0.5 text-xs">
            image
          </span>
        ) : (
          // biome-ignore lint/suspicious/noArrayIndexKey: parts have no id; their order is fixed
          <p key={i} className="whitespace-pre-wrap break-words text-sm">
            {p.text}
          </p>
        ),
      )}
      {m.tool_calls?.map((c, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: calls are listed in order
        <pre key={i} className="mt-2 overflow-x-auto rounded bg-zinc-950 p-2 text-xs text-violet-300">
          {c.function?.name}({c.function?.arguments})
        </pre>
      ))}
    </div>
  );
}
