/** Helpers for the API key tests: the admin API and raw chat calls with their headers. */
import type { Gateway } from "../helpers/gateway";

export const ADMIN = "admin-key-for-tests";

export interface Created {
  id: string;
  key: string;
  [field: string]: unknown;
}

export async function admin(gw: Gateway, method: string, path: string, body?: unknown, bearer = ADMIN) {
  const res = await fetch(`${gw.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${bearer}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}

export async function createKey(gw: Gateway, fields: Record<string, unknown>): Promise<Created> {
  const r = await admin(gw, "POST", "/admin/keys", fields);
  if (r.status !== 201) throw new Error(`create failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body as Created;
}

export async function chat(
  gw: Gateway,
  key: string | null,
  model = "ollama/qwen3:8b",
  extra: { stream?: boolean; headers?: Record<string, string>; content?: string } = {},
) {
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...extra.headers,
    },
    body: JSON.stringify({
      model,
      messages: [{ role: "user", content: extra.content ?? "hi" }],
      ...(extra.stream ? { stream: true, stream_options: { include_usage: true } } : {}),
    }),
  });
  const text = await res.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.status, headers: res.headers, body, text };
}
