import { beforeAll, describe, expect, it } from "vitest";

// The registry reads MODEL_ALIASES through env(), once: set the environment before it is loaded.
let registry: typeof import("./registry");
beforeAll(async () => {
  process.env.MODEL_ALIASES = [
    "claude-haiku-*=ollama/qwen3:4b",
    "claude-*=ollama/qwen3:32b",
    "claude-haiku-4-5-pinned=claude-code",
    "gpt-4o=claude-code",
    "ollama/llama*=ollama/qwen3:8b",
  ].join(",");
  process.env.CLAUDE_MODELS = "sonnet";
  registry = await import("./registry");
});

describe("resolveAlias and resolveTarget with alias patterns", () => {
  it("routes the names Claude Code sends through the longest matching pattern, to the target's provider", () => {
    const small = registry.resolveTarget("claude-haiku-4-5-20251001");
    expect(small).toMatchObject({ requested: "claude-haiku-4-5-20251001", name: "ollama/qwen3:4b" });
    expect(small.route.provider.id).toBe("ollama");
    expect(small.route.upstreamModel).toBe("qwen3:4b");
    const main = registry.resolveTarget("claude-sonnet-4-5-20250929");
    expect(main.name).toBe("ollama/qwen3:32b");
    expect(main.route.upstreamModel).toBe("qwen3:32b");
    // a pattern takes every name it matches, the gateway's own `claude-code` too
    expect(registry.resolveAlias("claude-code")).toBe("ollama/qwen3:32b");
    expect(registry.resolveAlias("ollama/llama3.2:latest")).toBe("ollama/qwen3:8b");
  });

  it("an exact alias wins over any pattern; names no alias takes route as themselves", () => {
    const pinned = registry.resolveTarget("claude-haiku-4-5-pinned");
    expect(pinned.name).toBe("claude-code");
    expect(pinned.route.provider.id).toBe("claude-code");
    expect(registry.resolveAlias("gpt-4o")).toBe("claude-code");
    expect(registry.resolveAlias("gpt-4o-mini")).toBeNull();
    expect(registry.resolveAlias("sonnet")).toBeNull();
    const sonnet = registry.resolveTarget("sonnet");
    expect(sonnet).toMatchObject({ requested: "sonnet", name: "sonnet" });
    expect(sonnet.route.provider.id).toBe("claude-code");
    expect(registry.resolveTarget("ollama/qwen3:8b").route.upstreamModel).toBe("qwen3:8b");
  });

  it("caps the name before matching: a long name a pattern would match is 404", () => {
    const long = `claude-haiku-${"x".repeat(300)}`;
    expect(() => registry.resolveTarget(long)).toThrow(
      expect.objectContaining({ status: 404, code: "model_not_found" }),
    );
    expect(() => registry.resolveTarget("gpt-5")).toThrow(expect.objectContaining({ status: 404 }));
  });
});
