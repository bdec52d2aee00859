import { beforeAll, describe, expect, it } from "vitest";
import { freshDb, insertRequests, query } from "../../../tests/helpers/seed";

let file: string;
let R: typeof import("./recorder");
let S: typeof import("./summary");
let E: typeof import("../openai/errors");
let A: typeof import("./attribution");

beforeAll(async () => {
  file = freshDb("attribution");
  R = await import("./recorder");
  S = await import("./summary");
  E = await import("../openai/errors");
  A = await import("./attribution");
});

const ctx = (id: string) => ({
  id,
  startedAt: Date.now(),
  method: "POST",
  path: "/v1/chat/completions",
  userAgent: "test",
  clientAddress: null,
});

/** What http/chat.ts does when a body names a model and then fails the schema: no provider was chosen. */
async function refused(id: string, model: string) {
  const rec = new R.RequestRecorder(ctx(id));
  rec.model = model;
  await rec.finish({ status: "error", error: E.badRequest("messages: expected an array", "messages") });
  return query<{ model: string; provider: string }>(file, "SELECT model, provider FROM Request WHERE id = ?", id)[0];
}

describe("the provider of a request refused before it was routed", () => {
  it("is the provider its model name goes to, or none for no name or an unknown one", () => {
    expect(A.providerOf("claude-code")).toBe("claude-code");
    expect(A.providerOf("sonnet")).toBe("claude-code");
    expect(A.providerOf("ollama/qwen3:8b")).toBe("ollama");
    expect(A.providerOf("")).toBe("");
    expect(A.providerOf("gpt-nope")).toBe("");
    expect(A.providerOf("ollama/bad name!")).toBe("");
  });

  it("is recorded, so one model is one row of the usage table, not two", async () => {
    const at = Date.now() - 1000;
    insertRequests(file, [{ id: "ok1", at, model: "claude-code", provider: "claude-code", durationMs: 100 }]);
    expect(await refused("bad1", "claude-code")).toEqual({ model: "claude-code", provider: "claude-code" });
    expect(await refused("bad2", "gpt-nope")).toEqual({ model: "gpt-nope", provider: "" });
    expect(await refused("bad3", "")).toEqual({ model: "", provider: "" });
    const rows = S.namedRows(await S.usageByModel({ since: new Date(at - 60_000), until: null }));
    const claude = rows.filter((r) => r.model === "claude-code");
    expect(claude).toHaveLength(1);
    expect(claude[0]).toMatchObject({ provider: "claude-code", requests: 2, errors: 1 });
    expect(rows.find((r) => r.model === "gpt-nope")).toMatchObject({ provider: "unknown", requests: 1 });
    expect(rows.find((r) => r.model === "unknown")).toMatchObject({ provider: "unknown", requests: 1 });
    expect(rows.some((r) => !r.model || !r.provider)).toBe(false);
  });
});
