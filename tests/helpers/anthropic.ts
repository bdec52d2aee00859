/** The Anthropic SDK against a gateway, and protocol checks for Messages answers and stream events. */
import Anthropic from "@anthropic-ai/sdk";
import { expect } from "vitest";
import type { Gateway } from "./gateway";

export const anthropicClient = (gw: Gateway, apiKey: string, headers: Record<string, string> = {}) =>
  new Anthropic({ baseURL: gw.url, apiKey, maxRetries: 0, defaultHeaders: headers });

/** A `message` object: required fields present, blocks well-formed, usage complete. */
export function expectMessage(m: any) {
  expect(m).toMatchObject({ type: "message", role: "assistant", stop_sequence: null });
  expect(m.id).toMatch(/^msg_/);
  expect(typeof m.model).toBe("string");
  expect(["end_turn", "max_tokens", "stop_sequence", "tool_use", "refusal"]).toContain(m.stop_reason);
  for (const k of ["input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens"]) {
    expect(typeof m.usage[k], k).toBe("number");
  }
  for (const b of m.content) {
    if (b.type === "text") expect(typeof b.text).toBe("string");
    else if (b.type === "thinking") expect(typeof b.signature).toBe("string");
    else if (b.type === "tool_use") expect(b).toMatchObject({ id: expect.any(String), name: expect.any(String) });
    else throw new Error(`unexpected block ${JSON.stringify(b)}`);
  }
}

/**
 * A stream's events in Anthropic's order: message_start first; each block started, given deltas of its
 * own kind and stopped, indexes counting up from 0; then message_delta (stop_reason, usage) and exactly
 * one message_stop, last. Pings may come anywhere after message_start.
 */
export function expectEventSequence(events: any[]) {
  const kinds = events.map((e) => e.type).filter((t) => t !== "ping");
  expect(kinds[0]).toBe("message_start");
  expect(kinds.at(-1)).toBe("message_stop");
  expect(kinds.filter((k) => k === "message_stop")).toHaveLength(1);
  expect(kinds.at(-2)).toBe("message_delta");
  let open: { index: number; type: string } | null = null;
  let next = 0;
  for (const e of events) {
    if (e.type === "content_block_start") {
      expect(open).toBeNull();
      expect(e.index).toBe(next++);
      open = { index: e.index, type: e.content_block.type };
    } else if (e.type === "content_block_delta") {
      expect(open?.index).toBe(e.index);
      const allowed: Record<string, string[]> = {
        text: ["text_delta"],
        thinking: ["thinking_delta", "signature_delta"],
        tool_use: ["input_json_delta"],
      };
      expect(allowed[open!.type]).toContain(e.delta.type);
    } else if (e.type === "content_block_stop") {
      expect(open?.index).toBe(e.index);
      open = null;
    } else if (e.type === "message_delta") {
      expect(open).toBeNull();
      expect(e.delta.stop_reason).toEqual(expect.any(String));
      expect(typeof e.usage.output_tokens).toBe("number");
      expect(typeof e.usage.input_tokens).toBe("number");
    }
  }
}

/** Raw SSE events of a streamed /v1/messages call (to see pings and errors as sent). */
export async function rawEvents(gw: Gateway, key: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${gw.url}/v1/messages`, {
    method: "POST",
    headers: { "x-api-key": key, "content-type": "application/json", "anthropic-version": "2023-06-01", ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  const events = text
    .split("\n\n")
    .filter((f) => f.trim())
    .map((f) => {
      const name = /^event: (.*)$/m.exec(f)?.[1];
      const data = JSON.parse(/^data: (.*)$/m.exec(f)?.[1] ?? "null");
      expect(data?.type, f).toBe(name);
      return data;
    });
  return { status: res.status, headers: res.headers, events };
}
