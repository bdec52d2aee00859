import "server-only";
import { verifyConsoleToken } from "../console/auth";
import { env } from "../env";
import { addressOf } from "../http/context";
import { checkOrigin } from "../http/origin";
import { ApiError } from "../openai/errors";
import { hashKey, KEY_PREFIX, modelAllowed, secretsEqual } from "./key-text";
import { admit } from "./limits";
import { anyActiveKey, type KeyRecord, keyByHash } from "./store";
import { FailureThrottle } from "./throttle";

/**
 * THE ACCESS POLICY of cc-bridge: every API route, admin route, tRPC procedure and console page asks
 * this file who is calling and what they may do. Nothing else decides access.
 *
 * Who is calling (a Principal), from what the request presents:
 *   admin      `Authorization: Bearer <CLAUDE_AUTH_KEY>` (or `x-api-key: <CLAUDE_AUTH_KEY>`, as for every key)
 *   key        `Authorization: Bearer ccb-…`, a key that exists, is not revoked and not expired
 *   console    a valid console login cookie (signed with CLAUDE_AUTH_KEY: only the admin can sign in)
 *   anonymous  nothing (any other bearer is a 401, never anonymous)
 *
 * What each may do:
 *
 *   surface                      admin   key                          console   anonymous
 *   /v1/* (every API route)      all     its models, limits, budget   –         only on an open gateway¹
 *   /admin/* (key admin API)     yes     403                          –         only with no CLAUDE_AUTH_KEY²
 *   console pages, tRPC,         –       –                            yes       only with no CLAUDE_AUTH_KEY²
 *     playground
 *   /health details              yes     no                           yes       only with no CLAUDE_AUTH_KEY²
 *   /metrics                     METRICS_KEY when set, else the admin key; open when neither is set
 *   /v1/usage                    all     its own (403 for others')    –         all, on an open gateway
 *   X-Session-ID sessions        all     those it claimed first (403) yes       those claimed unkeyed
 *   stored responses             all     its own (others: 404)        yes       those made unkeyed
 *
 *   ¹ open gateway: no CLAUDE_AUTH_KEY and no usable key (once a key exists, /v1 needs a key).
 *   ² as before keys existed: without CLAUDE_AUTH_KEY the console is open (bound to loopback by default).
 *
 * Every surface first refuses other sites' pages and foreign Host names (http/origin.ts).
 * An unknown, revoked or expired key is 401; a model outside a key's patterns is 403
 * `model_not_allowed`; rpm/tpm are 429 `rate_limit_exceeded`, budgets 429 `insufficient_quota`
 * (limits.ts), all before any upstream work.
 */
export type Principal =
  | { kind: "admin" }
  | { kind: "key"; key: KeyRecord }
  | { kind: "console" }
  | { kind: "anonymous"; open: boolean };

const adminKey = () => env().CLAUDE_AUTH_KEY;

const unauthorized = (message: string, code: string) => new ApiError(401, message, { code });

/**
 * The key presented: `Authorization: Bearer <key>`, else Anthropic's `x-api-key: <key>` (what the
 * Anthropic SDKs and Claude Code send). Null when neither is there; undefined when Authorization is
 * another scheme.
 */
function bearerOf(headers: Headers): string | null | undefined {
  const header = headers.get("authorization");
  if (header === null || header.trim() === "") return headers.get("x-api-key")?.trim() || null;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  return match ? (match[1]?.trim() ?? "") : undefined;
}

/** Who is calling, from the Authorization header. An unknown, revoked or expired key throws 401. */
export async function resolveBearer(headers: Headers, now = Date.now()): Promise<Principal> {
  const token = bearerOf(headers);
  const admin = adminKey();
  if (token === null) return { kind: "anonymous", open: !admin };
  if (token === undefined) {
    // Another scheme (Basic…) means nothing to an open gateway, as before keys; otherwise it is no key.
    if (!admin && !(await anyActiveKey())) return { kind: "anonymous", open: true };
    throw unauthorized("Send the API key as `Authorization: Bearer <key>`.", "invalid_api_key");
  }
  if (admin && secretsEqual(token, admin)) return { kind: "admin" };
  if (token.startsWith(KEY_PREFIX)) {
    const hash = hashKey(token);
    const key = await keyByHash(hash);
    if (key && secretsEqual(key.hash, hash)) {
      if (key.revokedAt) throw unauthorized("This API key has been revoked.", "invalid_api_key");
      if (key.expiresAt && key.expiresAt.getTime() <= now) {
        throw unauthorized("This API key has expired.", "invalid_api_key");
      }
      const { hash: _, ...record } = key;
      return { kind: "key", key: record };
    }
  }
  // Without CLAUDE_AUTH_KEY and keys, any bearer (SDKs insist on sending one) is fine, as before keys.
  if (!admin && !token.startsWith(KEY_PREFIX) && !(await anyActiveKey())) return { kind: "anonymous", open: true };
  throw unauthorized("Incorrect API key provided.", "invalid_api_key");
}

/** The console login from a cookie value: console, or anonymous (open when no CLAUDE_AUTH_KEY). */
export function resolveConsoleCookie(value: string | undefined): Principal {
  const admin = adminKey();
  if (!admin) return { kind: "anonymous", open: true };
  return value && verifyConsoleToken(value, admin) ? { kind: "console" } : { kind: "anonymous", open: false };
}

/** The key id a principal's records carry (null: admin, console or open gateway). */
export const keyIdOf = (p: Principal): string | null => (p.kind === "key" ? p.key.id : null);

/** A /v1 route: origin check, then who is calling; 401 unless admin, a key, or an open gateway. */
export async function forApi(request: Request): Promise<Principal> {
  checkOrigin(request.headers);
  const p = await resolveBearer(request.headers);
  if (p.kind !== "anonymous") return p;
  if (!adminKey() && !(await anyActiveKey())) return { kind: "anonymous", open: true };
  throw unauthorized("You didn't provide an API key. Send it as `Authorization: Bearer <key>`.", "missing_api_key");
}

/** /admin routes: the admin key; a normal key gets 403; anonymous only with no CLAUDE_AUTH_KEY. */
export async function forAdmin(request: Request): Promise<Principal> {
  checkOrigin(request.headers);
  const p = await resolveBearer(request.headers);
  if (p.kind === "admin" || (p.kind === "anonymous" && p.open)) return p;
  if (p.kind === "key") {
    throw new ApiError(403, "Only the admin key (CLAUDE_AUTH_KEY) may use the admin API.", {
      code: "admin_only",
      type: "permission_error",
    });
  }
  throw unauthorized(
    "The admin API needs the admin key: `Authorization: Bearer <CLAUDE_AUTH_KEY>`.",
    "missing_api_key",
  );
}

/**
 * /metrics: the origin check, then the one bearer key that guards it (METRICS_KEY, else the admin
 * key; open when neither is set). API keys do not open it.
 */
export function requireBearer(request: Request, key: string | undefined): void {
  checkOrigin(request.headers);
  if (!key) return;
  const token = bearerOf(request.headers);
  if (token === null) throw unauthorized("Send the metrics key as `Authorization: Bearer <key>`.", "missing_api_key");
  if (!token || !secretsEqual(token, key)) throw unauthorized("Incorrect key provided.", "invalid_api_key");
}

/** Console surfaces (pages, tRPC, the playground): the login cookie, or an open console. */
export const consoleAllowed = (p: Principal) => p.kind === "console" || (p.kind === "anonymous" && p.open);

/** The console's tRPC calls: origin check, then the login (procedures refuse a principal not allowed). */
export function forConsole(request: Request, cookieName: string): Principal {
  checkOrigin(request.headers);
  return resolveConsoleCookie(cookieOf(request.headers, cookieName));
}

/** The console's own API calls (tRPC, playground): origin check, then the login. Throws 401. */
export function forConsoleApi(request: Request, cookie: string | undefined): Principal {
  checkOrigin(request.headers);
  const p = resolveConsoleCookie(cookie);
  if (!consoleAllowed(p)) throw unauthorized("Sign in to the console first.", "console_login");
  return p;
}

/** May this principal use this model? A key only the models its patterns match: 403 otherwise. */
export function checkModel(p: Principal, model: string): void {
  if (p.kind !== "key" || modelAllowed(p.key.allowedModels, model)) return;
  throw new ApiError(403, `This API key is not allowed to use the model \`${model.slice(0, 200)}\`.`, {
    code: "model_not_allowed",
    param: "model",
    type: "permission_error",
  });
}

/** The models a principal's model list shows (a key: only those it may call). */
export const visibleModels = <T extends { id: string }>(p: Principal, models: T[]): T[] =>
  p.kind === "key" ? models.filter((m) => modelAllowed(p.key.allowedModels, m.id)) : models;

/**
 * Before upstream work on a model: the model check, then the key's limits (budget, tpm, rpm slot).
 * Answers the x-ratelimit-* headers to send (none for admin, console and anonymous).
 */
export async function admitModel(p: Principal, model: string): Promise<Headers> {
  checkModel(p, model);
  return p.kind === "key" ? admit(p.key) : new Headers();
}

/** Whose usage /v1/usage may show: a key only its own (another key's id is 403). */
export function usageScope(p: Principal, requested: string | null): string | null {
  if (p.kind !== "key") return requested;
  if (requested !== null && requested !== p.key.id) {
    throw new ApiError(403, "A key may only read its own usage.", {
      code: "permission_denied",
      param: "key_id",
      type: "permission_error",
    });
  }
  return p.key.id;
}

/** /health shows the binary path, versions and URLs only to the admin (or on an open gateway). */
export const seesHealthDetails = (p: Principal) => p.kind === "admin" || consoleAllowed(p);

/** A console page: null to render it, or where to send a visitor who is not signed in. */
export function pageRedirect(pathAndQuery: string, cookie: string | undefined): string | null {
  return consoleAllowed(resolveConsoleCookie(cookie)) ? null : `/login?next=${encodeURIComponent(pathAndQuery)}`;
}

/** A cookie's value from a request's Cookie header. */
export function cookieOf(headers: Headers, name: string): string | undefined {
  for (const part of (headers.get("cookie") ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

/**
 * A route anyone may call (/health): origin check, then who is calling, for what it may see
 * (the admin bearer or the console cookie; a wrong bearer here is simply anonymous).
 */
export async function forPublic(request: Request, consoleCookie: string): Promise<Principal> {
  checkOrigin(request.headers);
  const viaCookie = resolveConsoleCookie(cookieOf(request.headers, consoleCookie));
  if (viaCookie.kind === "console") return viaCookie;
  try {
    return await resolveBearer(request.headers);
  } catch {
    return { kind: "anonymous", open: !adminKey() };
  }
}

const loginFailures = new FailureThrottle();

export type LoginResult = { ok: true } | { ok: false; waitMs: number };

/**
 * A console sign-in (/auth/login): origin check, then the admin key, compared in constant time.
 * After 5 failures from one address each further attempt must wait twice as long (1 s … 60 s);
 * an attempt made too early is refused without looking at the key.
 */
export function checkLogin(request: Request, presented: unknown, now = Date.now()): LoginResult {
  checkOrigin(request.headers);
  // Per client address (http/context.ts addressOf): one client's failures never refuse another's key.
  const client = addressOf(request) ?? "unknown";
  const wait = loginFailures.waitMs(client, now);
  if (wait > 0) return { ok: false, waitMs: wait };
  const admin = adminKey();
  if (admin && typeof presented === "string" && secretsEqual(presented, admin)) {
    loginFailures.succeed(client);
    return { ok: true };
  }
  loginFailures.fail(client, now);
  return { ok: false, waitMs: loginFailures.waitMs(client, now) };
}

/** A console sign-out (/auth/logout): only from the console's own pages (origin check). */
export const checkLogout = (request: Request) => checkOrigin(request.headers);
