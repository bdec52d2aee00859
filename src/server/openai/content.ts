/** Helpers over OpenAI message content (a string or an array of parts). */
type Part = { type: string; text?: string; refusal?: string };

/** The text of a message's content: text parts joined by newlines, other parts left out. */
export function textOf(content: string | readonly Part[] | null | undefined): string {
  if (content == null) return "";
  if (typeof content === "string") return content;
  return content
    .map((p) => p.text ?? p.refusal ?? "")
    .filter(Boolean)
    .join("\n");
}
