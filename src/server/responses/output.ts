/**
 * Provider events → Responses API output items, and the stream events that build them: a message
 * item (one output_text part), function_call items and reasoning items, each opened when its first
 * event arrives and closed when another item starts or the run ends.
 */
import { randomBytes } from "node:crypto";
import type { ChatEvent } from "../providers/types";
import type { Step } from "../steps/types";

const itemId = (prefix: string) => `${prefix}_${randomBytes(12).toString("hex")}`;

type Status = "in_progress" | "completed" | "incomplete";
const text = (t: string) => ({ type: "output_text" as const, text: t, annotations: [], logprobs: [] });

export type OutputItem =
  | { type: "message"; id: string; status: Status; role: "assistant"; content: ReturnType<typeof text>[] }
  | { type: "function_call"; id: string; status: Status; call_id: string; name: string; arguments: string }
  | {
      type: "reasoning";
      id: string;
      status: Status;
      summary: [];
      content: { type: "reasoning_text"; text: string }[];
    }
  | {
      type: "mcp_call";
      id: string;
      status: "completed" | "failed";
      server_label: string;
      name: string;
      arguments: string;
      output: string | null;
      error: { type: "mcp_tool_execution_error"; content: string } | null;
    };

/** The server_label of the steps' mcp_call items: the tools Claude Code ran on the gateway's machine. */
export const STEPS_SERVER_LABEL = "claude-code";

/** A stream event without its sequence_number (the format numbers them). */
export type OutputEvent = { type: string } & Record<string, unknown>;

export class OutputBuilder {
  readonly items: OutputItem[] = [];
  /** The item that receives events now, and the tool-call index it belongs to. */
  private open: { item: OutputItem; toolIndex?: number } | null = null;

  private clone = (item: OutputItem): OutputItem => JSON.parse(JSON.stringify(item));

  private start(item: OutputItem, toolIndex?: number): OutputEvent[] {
    const closed = this.close("completed");
    this.items.push(item);
    this.open = { item, toolIndex };
    const output_index = this.items.length - 1;
    const events: OutputEvent[] = [
      ...closed,
      { type: "response.output_item.added", output_index, item: this.clone(item) },
    ];
    if (item.type === "message") {
      events.push({
        type: "response.content_part.added",
        item_id: item.id,
        output_index,
        content_index: 0,
        part: text(""),
      });
    } else if (item.type === "reasoning") {
      events.push({
        type: "response.content_part.added",
        item_id: item.id,
        output_index,
        content_index: 0,
        part: { type: "reasoning_text", text: "" },
      });
    }
    return events;
  }

  add(e: ChatEvent): OutputEvent[] {
    const current = this.open?.item;
    const output_index = this.items.length - 1;
    if (e.type === "text") {
      const events =
        current?.type === "message"
          ? []
          : this.start({
              type: "message",
              id: itemId("msg"),
              status: "in_progress",
              role: "assistant",
              content: [text("")],
            });
      const item = this.open?.item as Extract<OutputItem, { type: "message" }>;
      (item.content[0] as { text: string }).text += e.text;
      const index = this.items.length - 1;
      return [
        ...events,
        {
          type: "response.output_text.delta",
          item_id: item.id,
          output_index: index,
          content_index: 0,
          delta: e.text,
          logprobs: [],
        },
      ];
    }
    if (e.type === "reasoning") {
      const events =
        current?.type === "reasoning"
          ? []
          : this.start({
              type: "reasoning",
              id: itemId("rs"),
              status: "in_progress",
              summary: [],
              content: [{ type: "reasoning_text", text: "" }],
            });
      const item = this.open?.item as Extract<OutputItem, { type: "reasoning" }>;
      (item.content[0] as { text: string }).text += e.text;
      const index = this.items.length - 1;
      return [
        ...events,
        {
          type: "response.reasoning_text.delta",
          item_id: item.id,
          output_index: index,
          content_index: 0,
          delta: e.text,
        },
      ];
    }
    if (e.type === "step") return this.step(e.step);
    // A tool call: a new index opens a function_call item, the same index adds argument text.
    if (current?.type === "function_call" && this.open?.toolIndex === e.index) {
      current.arguments += e.arguments;
      return e.arguments
        ? [{ type: "response.function_call_arguments.delta", item_id: current.id, output_index, delta: e.arguments }]
        : [];
    }
    const events = this.start(
      { type: "function_call", id: itemId("fc"), status: "in_progress", call_id: e.id, name: e.name, arguments: "" },
      e.index,
    );
    const item = this.open?.item as Extract<OutputItem, { type: "function_call" }>;
    item.arguments = e.arguments;
    const index = this.items.length - 1;
    return e.arguments
      ? [
          ...events,
          { type: "response.function_call_arguments.delta", item_id: item.id, output_index: index, delta: e.arguments },
        ]
      : events;
  }

  /**
   * A tool call Claude Code ran on the server, once it ended: a whole `mcp_call` item (its input as a
   * short summary, no output: the gateway keeps tool results to itself), added and done at once.
   */
  private step(s: Step): OutputEvent[] {
    const failed = s.outcome === "error";
    const item: OutputItem = {
      type: "mcp_call",
      id: itemId("mcp"),
      status: failed ? "failed" : "completed",
      server_label: STEPS_SERVER_LABEL,
      name: s.tool ?? "tool",
      arguments: JSON.stringify(s.summary ? { summary: s.summary } : {}),
      output: null,
      error: failed ? { type: "mcp_tool_execution_error", content: "the tool reported an error" } : null,
    };
    const closed = this.close("completed");
    this.items.push(item);
    const output_index = this.items.length - 1;
    const base = { item_id: item.id, output_index };
    return [
      ...closed,
      { type: "response.output_item.added", output_index, item: { ...this.clone(item), status: "in_progress" } },
      { type: "response.mcp_call.in_progress", ...base },
      { type: failed ? "response.mcp_call.failed" : "response.mcp_call.completed", ...base },
      { type: "response.output_item.done", output_index, item: this.clone(item) },
    ];
  }

  /** Closes the open item: its `.done` events, then output_item.done. */
  close(status: Status): OutputEvent[] {
    const open = this.open;
    if (!open) return [];
    this.open = null;
    const item = open.item;
    item.status = status;
    const output_index = this.items.indexOf(item);
    const base = { item_id: item.id, output_index };
    const done = { type: "response.output_item.done", output_index, item: this.clone(item) };
    if (item.type === "message") {
      const part = item.content[0] ?? text("");
      return [
        { type: "response.output_text.done", ...base, content_index: 0, text: part.text, logprobs: [] },
        { type: "response.content_part.done", ...base, content_index: 0, part: { ...part } },
        done,
      ];
    }
    if (item.type === "reasoning") {
      const part = item.content[0] ?? { type: "reasoning_text", text: "" };
      return [
        { type: "response.reasoning_text.done", ...base, content_index: 0, text: part.text },
        { type: "response.content_part.done", ...base, content_index: 0, part: { ...part } },
        done,
      ];
    }
    return [
      { type: "response.function_call_arguments.done", ...base, name: item.name, arguments: item.arguments },
      done,
    ];
  }
}
