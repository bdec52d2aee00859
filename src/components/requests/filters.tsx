"use client";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { useTRPC } from "@/trpc/client";
import { KeySelect } from "../keys/key-select";

export interface RequestFilter {
  model: string;
  provider: string;
  status: string;
  sessionId: string;
  range: string;
  keyId: string;
  host: string;
  /** A tool the run called (issue 25). */
  tool: string;
}

export const EMPTY_FILTER: RequestFilter = {
  model: "",
  provider: "",
  status: "",
  sessionId: "",
  range: "all",
  keyId: "",
  host: "",
  tool: "",
};

const RANGE_MS: Record<string, number> = {
  "1h": 3_600_000,
  "24h": 86_400_000,
  "7d": 7 * 86_400_000,
  "30d": 30 * 86_400_000,
};

/**
 * The filter as list() input: empty fields left out, the range as `since`, counted back from `anchor`
 * (the moment the range was chosen: a `since` recomputed every render would change the query key and
 * drop the pages already loaded).
 */
export function toQuery(f: RequestFilter, anchor: number) {
  const ms = RANGE_MS[f.range];
  return {
    ...(f.model ? { model: f.model } : {}),
    ...(f.provider ? { provider: f.provider } : {}),
    ...(f.status ? { status: f.status as "ok" | "error" | "cancelled" } : {}),
    ...(f.sessionId ? { sessionId: f.sessionId } : {}),
    ...(f.keyId ? { keyId: f.keyId } : {}),
    ...(f.host ? { upstreamHost: f.host } : {}),
    ...(f.tool ? { tool: f.tool } : {}),
    ...(ms ? { since: new Date(anchor - ms) } : {}),
  };
}

const select = "rounded border border-zinc-700 bg-zinc-900 px-2 py-1.5 text-sm";

/** The session box: typing changes the filter once the user pauses (300 ms), not on every key. */
function SessionInput({ id, value, onChange }: { id: string; value: string; onChange: (v: string) => void }) {
  const [text, setText] = useState(value);
  const latest = useRef(onChange);
  latest.current = onChange;
  useEffect(() => setText(value), [value]);
  useEffect(() => {
    if (text === value) return;
    const timer = setTimeout(() => latest.current(text), 300);
    return () => clearTimeout(timer);
  }, [text, value]);
  return (
    <input
      id={id}
      className={select}
      value={text}
      onChange={(e) => setText(e.target.value)}
      onKeyDown={(e) => {
        if (e.key === "Enter") onChange(text);
      }}
      name="session"
      placeholder="X-Session-ID"
    />
  );
}

/** `onChange` gets only the fields changed: two quick changes must not undo each other. */
export function Filters({
  value,
  onChange,
}: {
  value: RequestFilter;
  onChange: (patch: Partial<RequestFilter>) => void;
}) {
  const trpc = useTRPC();
  const options = useQuery(trpc.requests.filterOptions.queryOptions());
  const set = (k: keyof RequestFilter) => (e: { target: { value: string } }) => onChange({ [k]: e.target.value });
  return (
    <form className="flex flex-wrap items-end gap-3" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
      <label className="flex flex-col gap-1 text-xs text-zinc-400">
        Model
        <select className={select} value={value.model} onChange={set("model")} name="model">
          <option value="">All models</option>
          {(options.data?.models ?? []).map((m) => (
            <option key={m} value={m}>
              {m || "(none)"}
            </option>
          ))}
        </select>
      </label>
      <label className="flex flex-col gap-1 text-xs text-zinc-400">
        Provider
        <select className={select} value={value.provider} onChange={set("provider")} name="provider">
          <option value="">All providers</option>
          {(options.data?.providers ?? []).map((p) => (
            <option key={p} value={p}>
              {p || "(none)"}
            </option>
          ))}
        </select>
      </label>
      <label className="flex flex-col gap-1 text-xs text-zinc-400">
        Status
        <select className={select} value={value.status} onChange={set("status")} name="status">
          <option value="">Any status</option>
          <option value="ok">ok</option>
          <option value="error">error</option>
          <option value="cancelled">cancelled</option>
        </select>
      </label>
      <label className="flex flex-col gap-1 text-xs text-zinc-400">
        Host
        <select className={select} value={value.host} onChange={set("host")} name="host">
          <option value="">All hosts</option>
          {(options.data?.hosts ?? []).map((h) => (
            <option key={h} value={h}>
              {h}
            </option>
          ))}
        </select>
      </label>
      <label className="flex flex-col gap-1 text-xs text-zinc-400">
        Tool
        <select className={select} value={value.tool} onChange={set("tool")} name="tool">
          <option value="">Any tool</option>
          {(options.data?.tools ?? []).map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      </label>
      <KeySelect className={select} value={value.keyId} onChange={(keyId) => onChange({ keyId })} />
      <label className="flex flex-col gap-1 text-xs text-zinc-400">
        Time
        <select className={select} value={value.range} onChange={set("range")} name="range">
          <option value="1h">Last hour</option>
          <option value="24h">Last 24 h</option>
          <option value="7d">Last 7 days</option>
          <option value="30d">Last 30 days</option>
          <option value="all">All time</option>
        </select>
      </label>
      <label className="flex flex-col gap-1 text-xs text-zinc-400" htmlFor="filter-session">
        Session
        <SessionInput id="filter-session" value={value.sessionId} onChange={(sessionId) => onChange({ sessionId })} />
      </label>
      <button
        type="button"
        className="rounded px-2 py-1.5 text-sm text-zinc-400 hover:text-zinc-100"
        onClick={() => onChange(EMPTY_FILTER)}
      >
        Clear
      </button>
    </form>
  );
}
