/** Claude Code failures → OpenAI errors: short, secret-free, with the status the SDKs expect. */
import { ApiError, modelNotFound } from "../../openai/errors";
import type { ClaudeResult } from "./turn-events";

/** The host of ANTHROPIC_BASE_URL (or similar), which may appear bare in an upstream message. */
function configuredHosts(): string[] {
  const hosts: string[] = [];
  for (const v of [
    process.env.ANTHROPIC_BASE_URL,
    process.env.ANTHROPIC_BEDROCK_BASE_URL,
    process.env.ANTHROPIC_VERTEX_BASE_URL,
  ]) {
    try {
      if (v) hosts.push(new URL(v).hostname.replace(/^\[|\]$/g, ""));
    } catch {}
  }
  return hosts.filter((h) => h.length > 2);
}

/**
 * Removes from text shown to a client anything that looks like a key or token, and every URL and
 * host (the upstream's address, e.g. ANTHROPIC_BASE_URL, is not the client's business).
 */
export function redact(text: string): string {
  let out = text
    .replace(/sk-[A-Za-z0-9_-]{8,}/g, "sk-…")
    .replace(/(bearer|api[_-]?key|token|authorization)(["'\s:=]+)(?:(?:bearer|basic)\s+)?[^\s"',]+/gi, "$1$2…")
    .replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>()]+/gi, "[url]")
    .replace(/\[[0-9a-f:.]*:[0-9a-f:.]*\](:\d+)?/gi, "[host]")
    .replace(/\b\d{1,3}(\.\d{1,3}){3}(:\d+)?\b/g, "[host]")
    .replace(/\b(localhost|[a-z0-9-]+(\.[a-z0-9-]+)+):\d{1,5}\b/gi, "[host]");
  for (const host of configuredHosts()) out = out.split(host).join("[host]");
  return out.slice(0, 300);
}

export function binaryMissing(detail: string): ApiError {
  return new ApiError(
    503,
    `The Claude Code binary is not available (${detail}). Set CLAUDE_BIN to the \`claude\` executable, put it on PATH, or reinstall the dependencies (the Agent SDK ships one).`,
    { code: "claude_unavailable" },
  );
}

/** A `result` line with is_error → the error for the client. */
export function resultError(r: ClaudeResult, model: string): ApiError {
  const status = r.api_error_status ?? null;
  const reason = redact(String(r.result ?? (r.errors ?? []).join("; ") ?? r.subtype ?? "unknown error"));
  if (status === 429) {
    return new ApiError(429, `Claude is rate limited (upstream 429): ${reason}`, {
      code: "rate_limit_exceeded",
      headers: { "retry-after": "30" },
    });
  }
  if (status === 401 || status === 403) {
    return new ApiError(502, `Claude Code is not authenticated (upstream ${status}): ${reason}`, {
      code: "upstream_auth_error",
    });
  }
  if (status === 404 && /model/i.test(reason)) return modelNotFound(model);
  if (status === 529 || (status !== null && status >= 500) || /overloaded/i.test(reason)) {
    return new ApiError(503, `Claude is overloaded or unavailable (upstream ${status ?? "error"}): ${reason}`, {
      code: "upstream_overloaded",
      headers: { "retry-after": "30" },
    });
  }
  return new ApiError(502, `Claude Code failed${status ? ` (upstream ${status})` : ""}: ${reason}`, {
    code: "upstream_error",
  });
}

/** The process ended without a result line. */
export function exitError(code: number | null, signal: string | null, stderr: string): ApiError {
  const tail = redact(stderr.trim().split("\n").slice(-3).join(" ").trim());
  const how = code !== null ? `exit code ${code}` : `signal ${signal}`;
  return new ApiError(502, `Claude Code ended with ${how} and no result${tail ? `: ${tail}` : "."}`, {
    code: "upstream_error",
  });
}
