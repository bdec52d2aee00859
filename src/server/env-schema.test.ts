import fs from "node:fs";
import os from "node:os";
import { describe, expect, it } from "vitest";
import { aliasTarget, envSchema, parseEnv } from "./env-schema";

/** Variables whose default depends on the machine (CPU count, memory). */
const MACHINE_DEPENDENT = ["CLAUDE_MAX_STARTING", "CLAUDE_MAX_PROCESSES"];

/** docs/configuration.md (scripts/gen-config-doc.mjs): variable → the default column's first `code` value, if any. */

function documentedDefaults(): Map<string, string | null> {
  const page = fs.readFileSync(new URL("../../docs/configuration.md", import.meta.url), "utf8");
  const rows = new Map<string, string | null>();
  for (const line of page.split("\n")) {
    const m = /^\|\s*`([A-Z_]+)`\s*\|([^|]*)\|/.exec(line);
    if (m?.[1]) rows.set(m[1], /`([^`]*)`/.exec(m[2] ?? "")?.[1] ?? null);
  }
  return rows;
}

describe("parseEnv", () => {
  it("applies the documented defaults", () => {
    const r = parseEnv({});
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.env).toMatchObject({
      PORT: 8080,
      HOST: "127.0.0.1",
      USAGE_DB_PATH: "./usage.db",
      CLAUDE_SKIP_PERMS: false,
      CLAUDE_DEFAULT_MODEL: "claude-code",
      OLLAMA_URL: "http://localhost:11434",
      CLAUDE_AUTH_KEY: undefined,
    });
  });

  it("parses booleans, lists and URLs", () => {
    const r = parseEnv({
      CLAUDE_SKIP_PERMS: "TRUE",
      IS_SANDBOX: "1",
      CLAUDE_MODELS: " a, b ,,c",
      OLLAMA_URL: "http://h:1/",
    });
    expect(r.ok && r.env).toMatchObject({
      CLAUDE_SKIP_PERMS: true,
      CLAUDE_MODELS: ["a", "b", "c"],
      OLLAMA_URL: "http://h:1",
    });
  });

  it("takes the OTLP protocols tracing serves (http/protobuf, http/json) and refuses gRPC", () => {
    expect(parseEnv({ OTEL_EXPORTER_OTLP_PROTOCOL: " HTTP/JSON " })).toMatchObject({
      ok: true,
      env: { OTEL_EXPORTER_OTLP_PROTOCOL: "http/json", OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: undefined },
    });
    const grpc = parseEnv({ OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "grpc" });
    expect(grpc.ok).toBe(false);
    expect(JSON.stringify(grpc)).toContain("expected http/protobuf or http/json");
  });

  it("takes OLLAMA_URL as one URL or a comma-separated list, credentials kept per URL and never echoed", () => {
    const r = parseEnv({ OLLAMA_URL: " http://gpu1:11434/ , https://u:pw@gpu2/ollama/,http://gpu3:11434" });
    expect(r.ok && r.env.OLLAMA_URL).toBe("http://gpu1:11434,https://u:pw@gpu2/ollama,http://gpu3:11434");
    const bad = parseEnv({ OLLAMA_URL: "http://gpu1:11434,ftp://u:secret@gpu2" });
    expect(!bad.ok && bad.message).toMatch(/OLLAMA_URL: expected an http\(s\) URL or a comma-separated list/);
    expect(!bad.ok && bad.message).not.toMatch(/secret/);
    const twice = parseEnv({ OLLAMA_URL: "http://gpu1:11434,http://gpu1:11434/" });
    expect(!twice.ok && twice.message).toMatch(/OLLAMA_URL: "http:\/\/gpu1:11434" is listed twice/);
  });

  it("refuses CLAUDE_SKIP_PERMS for a root gateway unless IS_SANDBOX=1 (Claude Code's own rule)", () => {
    const root = process.getuid?.() === 0;
    const r = parseEnv({ CLAUDE_SKIP_PERMS: "true" });
    expect(r.ok).toBe(!root);
    if (!r.ok) expect(r.message).toMatch(/CLAUDE_SKIP_PERMS: .*root.*IS_SANDBOX=1/);
    expect(parseEnv({ CLAUDE_SKIP_PERMS: "true", IS_SANDBOX: "1" }).ok).toBe(true);
    expect(parseEnv({ CLAUDE_SKIP_PERMS: "false" }).ok).toBe(true);
  });

  it("names every invalid variable and what it expects", () => {
    const r = parseEnv({ PORT: "abc", CLAUDE_SKIP_PERMS: "maybe", OLLAMA_URL: "ftp://x", MAX_BODY_BYTES: "-1" });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.message).toMatch(/PORT: expected a whole number from 1 to 65535, got "abc"/);
    expect(r.message).toMatch(/CLAUDE_SKIP_PERMS: expected true or false/);
    expect(r.message).toMatch(/OLLAMA_URL: expected an http\(s\) URL/);
    expect(r.message).toMatch(/MAX_BODY_BYTES/);
  });

  it("takes a postgres:// DATABASE_URL and refuses another scheme", () => {
    const ok = parseEnv({ DATABASE_URL: " postgresql://u@db:5432/cc " });
    expect(ok.ok && ok.env.DATABASE_URL).toBe("postgresql://u@db:5432/cc");
    const bad = parseEnv({ DATABASE_URL: "mysql://db/cc" });
    expect(!bad.ok && bad.message).toMatch(/DATABASE_URL: expected a postgres:\/\/ or postgresql:\/\/ URL/);
  });

  it("parses MODEL_ALIASES and refuses malformed, repeated or chained ones", () => {
    const r = parseEnv({ MODEL_ALIASES: " gpt-4o=claude-code, gpt-4o-mini = ollama/qwen3:8b ,," });
    expect(r.ok && r.env.MODEL_ALIASES).toEqual([
      { alias: "gpt-4o", target: "claude-code" },
      { alias: "gpt-4o-mini", target: "ollama/qwen3:8b" },
    ]);
    for (const bad of ["gpt-4o", "=x", "a=", "a=b,a=c", "a=b,b=c"]) {
      const e = parseEnv({ MODEL_ALIASES: bad });
      expect(e.ok, bad).toBe(false);
      expect(!e.ok && e.message).toMatch(/MODEL_ALIASES/);
    }
  });

  it("parses MODEL_ALIASES patterns (a trailing *) and refuses misplaced stars, bare * and chains through patterns", () => {
    const r = parseEnv({ MODEL_ALIASES: "claude-haiku-*=ollama/qwen3:4b, claude-haiku-4-5=claude-code,sonnet*=opus" });
    expect(r.ok && r.env.MODEL_ALIASES).toEqual([
      { alias: "claude-haiku-*", target: "ollama/qwen3:4b", prefix: "claude-haiku-" },
      { alias: "claude-haiku-4-5", target: "claude-code" },
      { alias: "sonnet*", target: "opus", prefix: "sonnet" },
    ]);
    const refused: Array<[string, RegExp]> = [
      ["claude-*-haiku=ollama/a", /a pattern has one "\*", at its end/],
      ["claude-**=ollama/a", /a pattern has one "\*", at its end/],
      ["*=ollama/a", /"\*" would take every model name/],
      ["claude-*=ollama/*", /a target is a model name/],
      ["claude-*=ollama/a,claude-*=ollama/b", /alias "claude-\*" is defined twice/],
      // one level: a pattern's target may not be an exact alias either
      ["haiku*=gpt-4o,gpt-4o=claude-code", /"haiku\*" maps to "gpt-4o", which is itself an alias/],
    ];
    for (const [bad, message] of refused) {
      const e = parseEnv({ MODEL_ALIASES: bad });
      expect(e.ok, bad).toBe(false);
      expect(!e.ok && e.message, bad).toMatch(/MODEL_ALIASES/);
      expect(!e.ok && e.message, bad).toMatch(message);
    }
  });

  it("resolves aliases: exact first, then the longest matching prefix, else null", () => {
    const r = parseEnv({
      MODEL_ALIASES: "claude-*=ollama/big,claude-haiku-*=ollama/small,claude-haiku-4-5-x=ollama/exact,h*=ollama/h",
    });
    if (!r.ok) throw new Error(r.message);
    const to = (m: string) => aliasTarget(r.env.MODEL_ALIASES, m);
    expect(to("claude-haiku-4-5-20251001")).toBe("ollama/small");
    expect(to("claude-haiku-4-5-x")).toBe("ollama/exact"); // exact beats a longer pattern
    expect(to("claude-sonnet-4-5")).toBe("ollama/big");
    expect(to("claude-haiku-")).toBe("ollama/small"); // the prefix itself matches (the * may be empty)
    expect(to("claude-")).toBe("ollama/big");
    expect(to("claude")).toBeNull();
    expect(to("haiku")).toBe("ollama/h");
    expect(to("ollama/qwen3:8b")).toBeNull();
    expect(to("")).toBeNull();
    // order of configuration does not matter: the longest prefix wins either way
    const reversed = parseEnv({ MODEL_ALIASES: "claude-haiku-*=ollama/small,claude-*=ollama/big" });
    if (!reversed.ok) throw new Error(reversed.message);
    expect(aliasTarget(reversed.env.MODEL_ALIASES, "claude-haiku-4-5")).toBe("ollama/small");
    expect(aliasTarget(reversed.env.MODEL_ALIASES, "claude-opus-4-1")).toBe("ollama/big");
    // a target a pattern matches is allowed, and runs as it is (one level): resolving is not repeated
    const oneLevel = parseEnv({ MODEL_ALIASES: "claude-*=ollama/big,claude-haiku-*=claude-code" });
    if (!oneLevel.ok) throw new Error(oneLevel.message);
    expect(aliasTarget(oneLevel.env.MODEL_ALIASES, "claude-haiku-4-5")).toBe("claude-code");
    expect(aliasTarget(oneLevel.env.MODEL_ALIASES, "claude-code")).toBe("ollama/big");
  });

  it("derives the machine-dependent defaults from the CPU count and the memory", () => {
    const parsed = parseEnv({});
    if (!parsed.ok) throw new Error(parsed.message);
    expect(parsed.env.CLAUDE_MAX_STARTING).toBe(os.availableParallelism());
    const fit = Math.floor(os.totalmem() / 2 / (300 * 2 ** 20));
    expect(parsed.env.CLAUDE_MAX_PROCESSES).toBe(Math.max(2, Math.min(12, fit)));
    const set = parseEnv({ CLAUDE_MAX_STARTING: "3", CLAUDE_MAX_PROCESSES: "40", CLAUDE_SPARES_MAX: "0" });
    expect(set.ok && [set.env.CLAUDE_MAX_STARTING, set.env.CLAUDE_MAX_PROCESSES, set.env.CLAUDE_SPARES_MAX]).toEqual([
      3, 40, 0,
    ]);
    expect(parseEnv({ CLAUDE_MAX_PROCESSES: "0" }).ok).toBe(false);
    expect(parseEnv({ CLAUDE_MAX_STARTING: "0" }).ok).toBe(false);
  });

  it("is documented in docs/configuration.md, every variable with its default", () => {
    const documented = documentedDefaults();
    const parsed = parseEnv({});
    if (!parsed.ok) throw new Error(parsed.message);
    for (const name of Object.keys(envSchema.shape)) {
      expect(documented.has(name), `${name} is missing from docs/configuration.md`).toBe(true);
      // Defaults that depend on the machine are documented by their rule, in words (checked below).
      if (MACHINE_DEPENDENT.includes(name)) {
        expect(documented.get(name), name).toBeNull();
        continue;
      }
      const value = parsed.env[name as keyof typeof parsed.env];
      if (value === undefined || (Array.isArray(value) && value.length === 0))
        expect(documented.get(name), name).toBeNull();
      else expect(documented.get(name), name).toBe(Array.isArray(value) ? value.join(",") : String(value));
    }
  });
});
