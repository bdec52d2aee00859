import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Gateway, startGateway } from "../helpers/gateway";
import { type RawOptions, rawRequest } from "../helpers/raw-http";
import { expectError } from "../helpers/schema";
import { ADMIN, createKey } from "./keys-client";

let gw: Gateway;

beforeAll(async () => {
  gw = await startGateway({ CLAUDE_AUTH_KEY: ADMIN });
});
afterAll(async () => {
  await gw?.stop();
});

const raw = (path: string, opts: RawOptions = {}) => rawRequest(gw.url, path, opts);

const form = (key: string) => new URLSearchParams({ key, next: "/dashboard" }).toString();
const formHeaders = { "content-type": "application/x-www-form-urlencoded" };

describe("console login and logout", () => {
  it("refuse a foreign Host and another site's page, like the API", async () => {
    const evilHost = await raw("/auth/login", {
      method: "POST",
      headers: { ...formHeaders, host: "evil.example" },
      body: form(ADMIN),
    });
    expect(evilHost.status).toBe(403);
    expect(evilHost.headers["set-cookie"]).toBeUndefined();
    expectError(JSON.parse(evilHost.body));
    const crossLogin = await raw("/auth/login", {
      method: "POST",
      headers: { ...formHeaders, origin: "http://evil.example" },
      body: form(ADMIN),
    });
    expect(crossLogin.status).toBe(403);
    const crossLogout = await raw("/auth/logout", { method: "POST", headers: { origin: "http://evil.example" } });
    expect(crossLogout.status).toBe(403);
    expect(crossLogout.headers["set-cookie"]).toBeUndefined();
    const sameLogout = await raw("/auth/logout", { method: "POST", headers: { origin: gw.url } });
    expect(sameLogout.status).toBe(303);
  });

  it("slow down repeated failures: after 5, each refusal takes a second and a right key is not even checked", async () => {
    const login = (key: string) =>
      fetch(`${gw.url}/auth/login`, { method: "POST", headers: formHeaders, body: form(key), redirect: "manual" });
    const free: string[] = [];
    for (let i = 0; i < 5; i++) free.push((await login(`wrong-${i}`)).headers.get("location") ?? "");
    expect(free.slice(0, 4).every((l) => l.includes("error=1"))).toBe(true);
    const t0 = Date.now();
    const slowed: string[] = [];
    for (let i = 0; i < 4; i++) slowed.push((await login(`wrong-more-${i}`)).headers.get("location") ?? "");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(3500); // 4 attempts, about a second each
    expect(slowed.every((l) => l.includes("error=wait"))).toBe(true);
    const blocked = await login(ADMIN);
    expect(blocked.headers.get("location")).toContain("error=wait");
    expect(blocked.headers.get("set-cookie")).toBeNull();
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  });
});

describe("/health", () => {
  it("shows the binary path, versions and URLs only to the admin", async () => {
    const anon = await (await fetch(`${gw.url}/health`)).json();
    expect(anon.status).toBe("ok");
    expect(anon.claude.path).toBeUndefined();
    expect(anon.ollama.url).toBeUndefined();
    expect(JSON.stringify(anon)).not.toContain("/nonexistent");
    const k = await createKey(gw, { name: "health" });
    const keyed = await (await fetch(`${gw.url}/health`, { headers: { authorization: `Bearer ${k.key}` } })).json();
    expect(keyed.claude.path).toBeUndefined();
    const adm = await (await fetch(`${gw.url}/health`, { headers: { authorization: `Bearer ${ADMIN}` } })).json();
    expect(adm.claude).toHaveProperty("path");
    expect(adm.ollama.url).toBe("http://127.0.0.1:1");
  });
});

describe("console pages and tRPC ask the access policy", () => {
  it("every console page redirects to the login with its own path and query", async () => {
    for (const path of ["/dashboard", "/dashboard/keys", "/dashboard/requests?model=x", "/dashboard/sessions/a%20b"]) {
      const r = await fetch(`${gw.url}${path}`, { redirect: "manual" });
      expect(r.status, path).toBe(307);
      expect(r.headers.get("location"), path).toBe(`/login?next=${encodeURIComponent(path)}`);
    }
    const trpc = await fetch(`${gw.url}/api/trpc/keys.list`);
    expect(trpc.status).toBe(401);
  });
});
