import { describe, expect, it } from "vitest";
import { subjectOf } from "./subject";

describe("what the request log shows for a request", () => {
  it("a chat request: its model alone", () => {
    expect(subjectOf("claude-code", "/v1/chat/completions")).toEqual({ label: "claude-code", note: null });
  });
  it("a call that named no model (a 401 on /v1/models): the endpoint, never '(none)'", () => {
    expect(subjectOf("", "/v1/models")).toEqual({ label: "/v1/models", note: null });
    expect(subjectOf("", "/v1/chat/completions")).toEqual({ label: "/v1/chat/completions", note: null });
  });
  it("a model on another endpoint: the model, with the endpoint as a note", () => {
    expect(subjectOf("ollama/qwen3:8b", "/v1/responses")).toEqual({ label: "ollama/qwen3:8b", note: "/v1/responses" });
  });
  it("a row from before the endpoint was recorded: '(none)' only when nothing at all is known", () => {
    expect(subjectOf("", "")).toEqual({ label: "(none)", note: null });
    expect(subjectOf("sonnet", undefined)).toEqual({ label: "sonnet", note: null });
  });
});
