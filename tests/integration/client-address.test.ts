// The recorded client address comes from the socket (scripts/serve.mjs hands it over explicitly); only
// with TRUST_PROXY does the proxy's X-Forwarded-For count.
import { describe, expect, it } from "vitest";
import { eventually, startGateway } from "../helpers/gateway";

async function recordedAddress(trustProxy: boolean, headers: Record<string, string>) {
  const gw = await startGateway(trustProxy ? { TRUST_PROXY: "true" } : {});
  try {
    const r = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: "{not json",
    });
    expect(r.status).toBe(400);
    const id = r.headers.get("x-request-id");
    const rec = await eventually(() => gw.records().find((x) => x.id === id));
    return rec.clientAddress;
  } finally {
    await gw.stop();
  }
}

describe("the recorded client address", () => {
  it("is the socket's, whatever headers the client sends (the server's own header included)", async () => {
    const spoof = { "x-cc-bridge-client-address": "6.6.6.6", "x-forwarded-for": "7.7.7.7", "x-real-ip": "8.8.8.8" };
    expect(await recordedAddress(false, spoof)).toBe("127.0.0.1");
  });

  it("with TRUST_PROXY=true is the first X-Forwarded-For entry (the proxy's)", async () => {
    expect(await recordedAddress(true, { "x-forwarded-for": "203.0.113.9, 10.0.0.1" })).toBe("203.0.113.9");
  });
});
