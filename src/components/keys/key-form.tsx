"use client";
import { useState } from "react";
import type { RouterOutputs } from "@/trpc/types";

type KeyView = RouterOutputs["keys"]["list"][number];

const input = "rounded border border-zinc-700 bg-zinc-900 px-2 py-1.5 text-sm outline-none focus:border-sky-500";
const label = "flex flex-col gap-1 text-xs text-zinc-400";

const num = (s: string) => (s.trim() === "" ? null : Number(s));
const localTime = (iso: string | null) => (iso ? new Date(iso).toISOString().slice(0, 16) : "");

/** The fields of a key as the admin API names them, from the form's strings. */
function fieldsOf(f: Record<string, string>) {
  return {
    name: f.name?.trim() ?? "",
    allowed_models: (f.models ?? "")
      .split(/[\s,]+/)
      .map((m) => m.trim())
      .filter(Boolean),
    rpm_limit: num(f.rpm ?? ""),
    tpm_limit: num(f.tpm ?? ""),
    max_budget_usd: num(f.usd ?? ""),
    max_budget_tokens: num(f.tokens ?? ""),
    budget_duration: f.period || null,
    expires_at: f.expires ? new Date(`${f.expires}Z`).toISOString() : null,
    agent_level: (f.level || null) as "read-only" | "sandboxed" | "unrestricted" | null,
    workspace: f.workspace?.trim() || null,
    ...(f.share === "yes" ? { share_workspace: true } : {}),
  };
}

/** Create or edit a key: name, model patterns, rpm/tpm, budgets per period, expiry. */
export function KeyForm({
  initial,
  busy,
  error,
  submitLabel,
  onSubmit,
  onCancel,
}: {
  initial?: KeyView;
  busy: boolean;
  error: string | null;
  submitLabel: string;
  onSubmit: (fields: ReturnType<typeof fieldsOf>) => void;
  onCancel: () => void;
}) {
  const [f, setF] = useState<Record<string, string>>({
    name: initial?.name ?? "",
    models: initial?.allowed_models.join(", ") ?? "",
    rpm: initial?.rpm_limit?.toString() ?? "",
    tpm: initial?.tpm_limit?.toString() ?? "",
    usd: initial?.max_budget_usd?.toString() ?? "",
    tokens: initial?.max_budget_tokens?.toString() ?? "",
    period: initial?.budget_duration ?? "",
    expires: localTime(initial?.expires_at ?? null),
    level: initial?.agent_level ?? "",
    workspace: initial?.workspace_chosen ? initial.workspace : "",
    share: "",
  });
  const field = (key: string, text: string, props: Record<string, unknown> = {}) => (
    <label className={label}>
      {text}
      <input
        className={input}
        value={f[key] ?? ""}
        onChange={(e) => setF({ ...f, [key]: e.target.value })}
        {...props}
      />
    </label>
  );
  return (
    <form
      aria-label={submitLabel}
      className="grid gap-3 rounded-lg border border-zinc-800 bg-zinc-900/60 p-4 sm:grid-cols-2 lg:grid-cols-4"
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit(fieldsOf(f));
      }}
    >
      {field("name", "Name", { required: true, maxLength: 100 })}
      <div className="sm:col-span-1 lg:col-span-3">
        {field("models", "Allowed models (patterns, comma-separated; empty: all)", {
          placeholder: "ollama/*, claude-code",
        })}
      </div>
      {field("rpm", "Requests per minute", { type: "number", min: 1, placeholder: "no limit" })}
      {field("tpm", "Tokens per minute", { type: "number", min: 1, placeholder: "no limit" })}
      {field("usd", "Budget (USD)", { type: "number", min: 0.0001, step: "any", placeholder: "no budget" })}
      {field("tokens", "Budget (tokens)", { type: "number", min: 1, placeholder: "no budget" })}
      <label className={label}>
        Budget period
        <select className={input} value={f.period} onChange={(e) => setF({ ...f, period: e.target.value })}>
          <option value="">the key's life</option>
          <option value="1h">1 hour</option>
          <option value="1d">1 day</option>
          <option value="7d">7 days</option>
          <option value="30d">30 days</option>
        </select>
      </label>
      {field("expires", "Expires (UTC, optional)", { type: "datetime-local" })}
      <label className={label}>
        Claude Code tasks
        <select className={input} value={f.level} onChange={(e) => setF({ ...f, level: e.target.value })}>
          <option value="">default (sandboxed where the sandbox works)</option>
          <option value="read-only">read-only: read files, no shell, no edits</option>
          <option value="sandboxed">sandboxed: commands and edits in its workspace</option>
          <option value="unrestricted">unrestricted (needs CLAUDE_SKIP_PERMS)</option>
        </select>
      </label>
      <div className="sm:col-span-1 lg:col-span-2">
        {field("workspace", "Workspace (absolute path; empty: its own folder)", {
          placeholder: initial && !initial.workspace_chosen ? initial.workspace : "/srv/projects/checkout",
        })}
      </div>
      <label className="flex items-center gap-2 text-xs text-zinc-400">
        <input
          type="checkbox"
          checked={f.share === "yes"}
          onChange={(e) => setF({ ...f, share: e.target.checked ? "yes" : "" })}
        />
        May share this workspace with other keys
      </label>
      <div className="flex items-end gap-2 sm:col-span-2 lg:col-span-2">
        <button
          type="submit"
          disabled={busy}
          className="rounded bg-sky-600 px-3 py-1.5 text-sm font-medium hover:bg-sky-500 disabled:opacity-50"
        >
          {submitLabel}
        </button>
        <button
          type="button"
          onClick={onCancel}
          className="rounded px-3 py-1.5 text-sm text-zinc-400 hover:text-zinc-100"
        >
          Cancel
        </button>
      </div>
      {error && (
        <p role="alert" className="text-sm text-red-400 sm:col-span-2 lg:col-span-4">
          {error}
        </p>
      )}
    </form>
  );
}
