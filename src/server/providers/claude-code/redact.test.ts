import { afterEach, describe, expect, it } from "vitest";
import { redact } from "./errors";

const saved = process.env.ANTHROPIC_BASE_URL;
afterEach(() => {
  if (saved === undefined) delete process.env.ANTHROPIC_BASE_URL;
  else process.env.ANTHROPIC_BASE_URL = saved;
});

describe("redact", () => {
  it("hides keys, URLs and hosts of upstream messages", () => {
    process.env.ANTHROPIC_BASE_URL = "https://llm-proxy.internal.example:8443/anthropic";
    const text = [
      "API Error: 529 Overloaded at https://llm-proxy.internal.example:8443/anthropic/v1/messages",
      "connect ECONNREFUSED 10.1.2.3:443, [fd00::1]:8080, localhost:4000, proxy.corp.example:3128",
      "host llm-proxy.internal.example said no; key sk-ant-abcdefghijklmnop, Authorization: Bearer xyz",
    ].join(" | ");
    const out = redact(text);
    expect(out).not.toMatch(/llm-proxy|internal\.example|10\.1\.2\.3|fd00|localhost|corp\.example|abcdefghij|xyz/);
    expect(out).toMatch(/^API Error: 529 Overloaded at \[url\]/);
    expect(out).toMatch(/ECONNREFUSED \[host\], \[host\], \[host\], \[host\]/);
  });

  it("leaves ordinary text (model names, versions) alone", () => {
    expect(redact("model claude-opus-4.1 is overloaded (v2.1.3)")).toBe("model claude-opus-4.1 is overloaded (v2.1.3)");
  });
});
