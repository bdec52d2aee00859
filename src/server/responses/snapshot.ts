/**
 * The Response object a stream of Responses events describes so far: what polling a background run
 * shows while it goes on. Built from the events alone, whatever produced them: `response.*` events that
 * carry a `response` replace it; an item's `output_item.added`/`.done` (any item type, agent steps
 * included) set it at its `output_index`; text, reasoning and argument deltas are appended to their item.
 */
type Json = Record<string, unknown>;
type Item = Json & { content?: Json[]; arguments?: string };

export class ResponseSnapshot {
  constructor(public response: Json) {}

  private item(e: Json): Item | undefined {
    const output = this.response.output as Item[] | undefined;
    return typeof e.output_index === "number" ? output?.[e.output_index] : undefined;
  }

  apply(e: Json): void {
    if (e.response && typeof e.response === "object") {
      this.response = e.response as Json;
      return;
    }
    const type = String(e.type);
    if (type === "response.output_item.added" || type === "response.output_item.done") {
      const output = [...((this.response.output as Item[]) ?? [])];
      output[e.output_index as number] = e.item as Item;
      this.response = { ...this.response, output };
      return;
    }
    const item = this.item(e);
    if (!item || typeof e.delta !== "string") return;
    if (type === "response.function_call_arguments.delta") item.arguments = (item.arguments ?? "") + e.delta;
    else if (type.endsWith("_text.delta") && Array.isArray(item.content)) {
      const part = item.content[(e.content_index as number) ?? 0];
      if (part && typeof part.text === "string") part.text += e.delta;
    }
  }

  /** The snapshot ended with `status` (cancelled, or failed with `error`): items still open become incomplete. */
  end(status: string, error: { code: string; message: string } | null = null): Json {
    const output = ((this.response.output as Item[]) ?? []).map((i) =>
      i?.status === "in_progress" ? { ...i, status: "incomplete" } : i,
    );
    this.response = { ...this.response, status, output, ...(error ? { error } : {}) };
    return this.response;
  }
}
