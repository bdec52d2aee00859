// One client address (issue 16): the login throttle, the audit log and the records all take it from one
// place; X-Forwarded-For counts only with TRUST_PROXY=true. Different clients are different sockets here:
// every address of 127.0.0.0/8 is loopback on Linux, so a request can come from 127.0.0.2, .3 …
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, type Gateway, startGateway } from "../helpers/gateway";
import { type RawAnswer, type RawOptions, rawRequest } from "../helpers/raw-http";
import { ADMIN } from "./keys-client";

let direct: Gateway;
let proxied: Gateway;

beforeAll(async () => {
  [direct, proxied] = await Promise.all([
    startGateway({ CLAUDE_AUTH_KEY: ADMIN }),
    startGateway({ CLAUDE_AUTH_KEY: ADMIN, TRUST_PROXY: "true" }),
  ]);
});
afterAll(async () => {
  await Promise.all([direct?.stop(), proxied?.stop()]);
});

/** A request from a given local address (the socket's), with any headers. */
const from = (gw: Gateway, localAddress: string, path: string, opts: RawOptions = {}) =>
  rawRequest(gw.url, path, { ...opts, localAddress });

const login = (gw: Gateway, address: string, key: string, headers: Record<string, string> = {}) =>
  from(gw, address, "/auth/login", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams({ key, next: "/dashboard" }).toString(),
  });

const throttled = (a: RawAnswer) => String(a.headers.location).includes("error=wait");
const signedIn = (a: RawAnswer) => String(a.headers["set-cookie"] ?? "").includes("ccb_console=");

describe("the console login throttle", () => {
  it("without TRUST_PROXY, a new X-Forwarded-For on every try does not escape it", async () => {
    const answers: RawAnswer[] = [];
    for (let i = 0; i < 7; i++) {
      answers.push(await login(direct, "127.0.0.2", `wrong-${i}`, { "x-forwarded-for": `10.9.${i}.1` }));
    }
    // The fifth failure already answers with the wait before the next try (as from one address).
    expect(answers.slice(0, 4).some(throttled)).toBe(false);
    expect(answers.slice(4).every(throttled)).toBe(true);
  });

  it("is per client: one client's failures never refuse the right key from another", async () => {
    for (let i = 0; i < 8; i++) await login(direct, "127.0.0.3", `wrong-${i}`);
    expect(throttled(await login(direct, "127.0.0.3", ADMIN))).toBe(true);
    const other = await login(direct, "127.0.0.4", ADMIN);
    expect(other.status).toBe(303);
    expect(signedIn(other)).toBe(true);
  });

  it("with TRUST_PROXY, the proxy's X-Forwarded-For is the client: per forwarded address", async () => {
    // Everything comes from the proxy's one socket; the clients differ by X-Forwarded-For.
    for (let i = 0; i < 8; i++) await login(proxied, "127.0.0.5", `wrong-${i}`, { "x-forwarded-for": "203.0.113.7" });
    expect(throttled(await login(proxied, "127.0.0.5", ADMIN, { "x-forwarded-for": "203.0.113.7" }))).toBe(true);
    const other = await login(proxied, "127.0.0.5", ADMIN, { "x-forwarded-for": "203.0.113.8, 127.0.0.5" });
    expect(signedIn(other)).toBe(true);
  });
});

/** Signs in from `address` and creates a key through the console's tRPC API, with `headers`. */
async function consoleCreatesKey(gw: Gateway, address: string, name: string, headers: Record<string, string>) {
  const cookie = String((await login(gw, address, ADMIN)).headers["set-cookie"]).split(";")[0] ?? "";
  const res = await from(gw, address, "/api/trpc/keys.create", {
    method: "POST",
    headers: { "content-type": "application/json", cookie, ...headers },
    body: JSON.stringify({ json: { name } }),
  });
  expect(res.status).toBe(200);
  const audit = await fetch(`${gw.url}/admin/audit`, { headers: { authorization: `Bearer ${ADMIN}` } });
  const entries = (await audit.json()).data as { key_name: string; actor: string; address: string | null }[];
  return entries.find((e) => e.key_name === name);
}

describe("the audit log and the records", () => {
  it("without TRUST_PROXY, a forged X-Forwarded-For is not recorded: the socket's address is", async () => {
    const entry = await consoleCreatesKey(direct, "127.0.0.6", "audited", { "x-forwarded-for": "6.6.6.6" });
    expect(entry).toMatchObject({ actor: "console", address: "127.0.0.6" });
    const r = await from(direct, "127.0.0.6", "/v1/chat/completions", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN}`, "x-forwarded-for": "6.6.6.6" },
      body: "{}",
    });
    const rec = await eventually(() => direct.records().find((x) => x.id === r.headers["x-request-id"]));
    expect(rec.clientAddress).toBe("127.0.0.6");
  });

  it("with TRUST_PROXY, the forwarded address is recorded in both", async () => {
    const entry = await consoleCreatesKey(proxied, "127.0.0.7", "audited via proxy", {
      "x-forwarded-for": "198.51.100.4",
    });
    expect(entry).toMatchObject({ actor: "console", address: "198.51.100.4" });
  });
});
