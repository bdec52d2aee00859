import { describe, expect, it } from "vitest";
import { CLIENT_ADDRESS_HEADER as SERVER_HEADER } from "../../../scripts/serve.mjs";
import { CLIENT_ADDRESS_HEADER, clientAddress } from "./client-address";

const headers = (h: Record<string, string>) => new Headers(h);

describe("clientAddress", () => {
  it("is the socket's address the server handed over; a client's X-Forwarded-For is not believed", () => {
    const h = headers({ [CLIENT_ADDRESS_HEADER]: "10.0.0.7", "x-forwarded-for": "6.6.6.6", "x-real-ip": "7.7.7.7" });
    expect(clientAddress(h, false)).toBe("10.0.0.7");
  });

  it("with TRUST_PROXY, the proxy's X-Forwarded-For (first entry), else X-Real-IP, else the socket's", () => {
    expect(
      clientAddress(headers({ [CLIENT_ADDRESS_HEADER]: "10.0.0.1", "x-forwarded-for": " 1.2.3.4, 10.0.0.1" }), true),
    ).toBe("1.2.3.4");
    expect(clientAddress(headers({ [CLIENT_ADDRESS_HEADER]: "10.0.0.1", "x-real-ip": "5.6.7.8" }), true)).toBe(
      "5.6.7.8",
    );
    expect(clientAddress(headers({ [CLIENT_ADDRESS_HEADER]: "10.0.0.1" }), true)).toBe("10.0.0.1");
  });

  it("is null when no server handed an address over (e.g. `next dev`)", () => {
    expect(clientAddress(headers({ "x-forwarded-for": "6.6.6.6" }), false)).toBeNull();
  });

  it("names the same header as the server", () => {
    expect(SERVER_HEADER).toBe(CLIENT_ADDRESS_HEADER);
  });
});
