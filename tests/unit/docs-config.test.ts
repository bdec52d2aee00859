/**
 * docs/configuration.md is what scripts/gen-config-doc.mjs makes of src/server/env-schema.ts: the
 * committed page cannot drift from the schema, and the generator finds names, defaults and meanings.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PAGE, renderConfigDoc, schemaComments, spelled, type Topic } from "../../scripts/gen-config-doc.mjs";
import { root } from "../helpers/markdown";

describe("docs/configuration.md", () => {
  it("is what `npm run docs:config` writes from src/server/env-schema.ts", () => {
    const run = spawnSync(process.execPath, [path.join(root, "scripts/gen-config-doc.mjs"), "--stdout"], {
      cwd: root,
      encoding: "utf8",
    });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    // On a difference: run `npm run docs:config` and commit the page.
    expect(fs.readFileSync(PAGE, "utf8")).toBe(run.stdout);
  });
});

const topics: Topic[] = [
  { title: "Server", intro: "Where it listens.", prefixes: [], vars: { PORT: { meaning: "port to listen on" } } },
  {
    title: "Claude Code",
    prefixes: [/^CLAUDE_/],
    vars: { CLAUDE_AUTH_KEY: { unset: "no auth", meaning: "the admin key" } },
  },
  { title: "Claude processes", prefixes: [/^CLAUDE_MAX_/], vars: {} },
];
const same = (env: Record<string, unknown>): [Record<string, unknown>, Record<string, unknown>] => [env, env];

describe("renderConfigDoc", () => {
  it("writes each topic's table: name, default (durations and sizes spelled out, unset in words), meaning", () => {
    const page = renderConfigDoc({
      names: ["PORT", "CLAUDE_AUTH_KEY"],
      defaults: same({ PORT: 8080, CLAUDE_AUTH_KEY: undefined }),
      topics,
    });
    expect(page).toContain("## Server\n\nWhere it listens.\n\n| variable | default | meaning           |");
    expect(page).toMatch(/^\| `PORT` +\| `8080` +\| port to listen on +\|$/m);
    expect(page).toMatch(/^\| `CLAUDE_AUTH_KEY` \| \(unset: no auth\) \| the admin key \|$/m);
    expect(page).toContain("- [Claude Code](#claude-code): `CLAUDE_AUTH_KEY`");
    expect(page).not.toContain("## Claude processes"); // an empty topic is left out
    expect(spelled("X_TIMEOUT_MS", 1_800_000)).toBe("30 min");
    expect(spelled("X_MS", 10_000)).toBe("10 s");
    expect(spelled("X_MS", 1_500)).toBeNull();
    expect(spelled("MAX_BODY_BYTES", 25 * 2 ** 20)).toBe("25 MiB");
    expect(spelled("CLAUDE_SPARES", 4)).toBeNull();
  });

  it("takes a new variable's meaning from .describe() or its comment, and its topic from its name", () => {
    const page = renderConfigDoc({
      names: ["PORT", "CLAUDE_AUTH_KEY", "CLAUDE_MAX_TURNS", "CLAUDE_NEW_THING", "OTEL_SERVICE_NAME"],
      defaults: same({ PORT: 8080, CLAUDE_MAX_TURNS: 10, CLAUDE_NEW_THING: ["a", "b"], OTEL_SERVICE_NAME: "ccb" }),
      described: { CLAUDE_MAX_TURNS: "turns per request at most", PORT: "not this: the topic's meaning wins" },
      comments: {
        CLAUDE_MAX_TURNS: "not this: .describe() wins",
        CLAUDE_NEW_THING: "a list",
        OTEL_SERVICE_NAME: "the name",
      },
      topics,
    });
    expect(page).not.toContain("not this");
    // the longest prefix that matches decides the topic
    expect(page).toMatch(
      /## Claude processes\n\n\| variable +\| default +\| meaning +\|\n.*\n\| `CLAUDE_MAX_TURNS` \| `10` +\| turns per request at most \|/,
    );
    expect(page).toMatch(/^\| `CLAUDE_NEW_THING` +\| `a,b` +\| a list +\|$/m);
    expect(page).toMatch(
      /## Other\n\n\| variable +\| default +\| meaning +\|\n.*\n\| `OTEL_SERVICE_NAME` \| `ccb` +\| the name +\|/,
    );
  });

  it("words a default that depends on the machine, never the value of the machine it ran on", () => {
    const render = (meta: Topic["vars"][string]) =>
      renderConfigDoc({
        names: ["CLAUDE_MAX_STARTING"],
        defaults: [{ CLAUDE_MAX_STARTING: 1 }, { CLAUDE_MAX_STARTING: 64 }],
        topics: [{ title: "Processes", vars: { CLAUDE_MAX_STARTING: { meaning: "starts at once", ...meta } } }],
      });
    expect(render({ default: "the CPU count" })).toMatch(
      /^\| `CLAUDE_MAX_STARTING` \| the CPU count \| starts at once \|$/m,
    );
    expect(render({})).toMatch(/\| depends on the machine \|/);
    expect(() =>
      renderConfigDoc({
        names: ["PORT"],
        defaults: same({ PORT: 8080 }),
        topics: [{ title: "Server", vars: { PORT: { meaning: "port", default: "the CPU count" } } }],
      }),
    ).toThrow(/PORT: `default` words a default that depends on the machine; this one is always 8080/);
  });

  it("refuses a variable nobody described, and a topic entry the schema no longer has", () => {
    expect(() =>
      renderConfigDoc({ names: ["PORT", "CLAUDE_AUTH_KEY", "NEW_VAR"], defaults: same({ NEW_VAR: 1 }), topics }),
    ).toThrow(/NEW_VAR has no meaning: give it a \/\*\* comment \*\/ .* in src\/server\/env-schema.ts/);
    expect(() => renderConfigDoc({ names: ["CLAUDE_AUTH_KEY"], defaults: same({}), topics })).toThrow(
      /PORT is in topic "Server" of scripts\/config-doc-topics.mjs but not in env-schema.ts/,
    );
  });
});

describe("schemaComments", () => {
  it("reads the comment right above each property of envSchema, and nothing else", () => {
    const source = [
      "/** not a property of the schema */",
      "const x = 1;",
      "export const envSchema = z.object({",
      "  PORT: int(8080, 1, 65535),",
      "  /** One line. */",
      "  HOST: z",
      "    .string()",
      "    .default('x'),",
      "  /**",
      "   * Two",
      "   * lines.",
      "   */",
      "  CLAUDE_SPARES: int(1, 0, 64),",
      "  // a line comment",
      "  OLLAMA_URL: httpUrls('x'),",
      "  /** a comment that a blank line parts from its property */",
      "",
      "  LOG_REQUESTS: bool(true),",
      "});",
      "/** after the schema */",
      "  AFTER: 1,",
    ].join("\n");
    expect(schemaComments(source)).toEqual({
      HOST: "One line.",
      CLAUDE_SPARES: "Two lines.",
      OLLAMA_URL: "a line comment",
    });
  });
});
