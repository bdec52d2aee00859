"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/trpc/client";
import { fmtTime } from "../format";
import { ErrorNote } from "../paging";
import { AuditLog } from "./audit-log";
import { CreatedKey } from "./created-key";
import { KeyForm } from "./key-form";
import { LimitsCell, UsageCell } from "./usage-cell";

const th = "px-3 py-2 font-medium whitespace-nowrap";
const td = "px-3 py-2 align-top";
const action = "rounded px-2 py-1 text-xs hover:bg-zinc-800";

const STATUS_STYLE: Record<string, string> = {
  active: "text-emerald-400",
  revoked: "text-red-400",
  expired: "text-amber-400",
};

/** /dashboard/keys: the keys with this period's usage against their limits; create, edit, rotate, revoke. */
export function KeysPage() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const list = useQuery(trpc.keys.list.queryOptions());
  const [mode, setMode] = useState<{ kind: "none" } | { kind: "create" } | { kind: "edit"; id: string }>({
    kind: "none",
  });
  const [shown, setShown] = useState<{ name: string; key: string } | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const refresh = () => qc.invalidateQueries({ queryKey: trpc.keys.pathKey() });
  const create = useMutation(
    trpc.keys.create.mutationOptions({
      onSuccess: (k) => {
        setShown({ name: k.name, key: k.key });
        setMode({ kind: "none" });
        refresh();
      },
    }),
  );
  const update = useMutation(
    trpc.keys.update.mutationOptions({
      onSuccess: () => {
        setMode({ kind: "none" });
        refresh();
      },
    }),
  );
  const rotate = useMutation(
    trpc.keys.rotate.mutationOptions({
      onSuccess: (k) => {
        setShown({ name: k.name, key: k.key });
        refresh();
      },
    }),
  );
  const revoke = useMutation(trpc.keys.revoke.mutationOptions({ onSuccess: refresh }));
  const keys = list.data ?? [];
  const editing = mode.kind === "edit" ? keys.find((k) => k.id === mode.id) : undefined;
  return (
    <div className="flex flex-col gap-5">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="mr-auto text-xl font-semibold">API keys</h1>
        {mode.kind === "none" && (
          <button
            type="button"
            onClick={() => setMode({ kind: "create" })}
            className="rounded bg-sky-600 px-3 py-1.5 text-sm font-medium hover:bg-sky-500"
          >
            New key
          </button>
        )}
      </div>
      {shown && <CreatedKey name={shown.name} text={shown.key} onDone={() => setShown(null)} />}
      {mode.kind === "create" && (
        <KeyForm
          submitLabel="Create key"
          busy={create.isPending}
          error={create.error?.message ?? null}
          onSubmit={(fields) => create.mutate(fields)}
          onCancel={() => setMode({ kind: "none" })}
        />
      )}
      {editing && (
        <KeyForm
          key={editing.id}
          initial={editing}
          submitLabel="Save changes"
          busy={update.isPending}
          error={update.error?.message ?? null}
          onSubmit={(fields) => update.mutate({ id: editing.id, changes: fields })}
          onCancel={() => setMode({ kind: "none" })}
        />
      )}
      <ErrorNote error={list.error ?? rotate.error ?? revoke.error} />
      <div className="overflow-x-auto rounded-lg border border-zinc-800">
        <table className="w-full text-left text-sm" data-testid="keys-table">
          <thead className="bg-zinc-900 text-xs uppercase text-zinc-400">
            <tr>
              <th className={th}>Name</th>
              <th className={th}>Key</th>
              <th className={th}>Models</th>
              <th className={th}>This period</th>
              <th className={th}>Limits</th>
              <th className={th}>Claude Code tasks</th>
              <th className={th}>Last used</th>
              <th className={th}>Status</th>
              <th className={th}>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-zinc-800">
            {keys.map((k) => (
              <tr key={k.id} data-testid="key-row" data-key-id={k.id}>
                <td className={`${td} font-medium`}>{k.name}</td>
                <td className={`${td} whitespace-nowrap font-mono text-xs text-zinc-400`}>{k.key_prefix}…</td>
                <td className={`${td} font-mono text-xs`}>
                  {k.allowed_models.length ? k.allowed_models.join(", ") : "all"}
                </td>
                <td className={td}>
                  <UsageCell k={k} />
                </td>
                <td className={td}>
                  <LimitsCell k={k} />
                </td>
                <td className={`${td} text-xs`} data-testid="key-agent">
                  <span className={k.agent_level ? "" : "text-zinc-400"}>
                    {k.effective_agent_level}
                    {k.agent_level ? "" : " (default)"}
                  </span>
                  <div className="max-w-64 truncate font-mono text-zinc-500" title={k.workspace}>
                    {k.workspace}
                  </div>
                </td>
                <td className={`${td} whitespace-nowrap text-xs`}>
                  {k.last_used_at ? fmtTime(k.last_used_at) : "never"}
                </td>
                <td className={`${td} text-xs ${STATUS_STYLE[k.status] ?? ""}`}>{k.status}</td>
                <td className={`${td} whitespace-nowrap text-right`}>
                  {k.status !== "revoked" && (
                    <>
                      <button type="button" className={action} onClick={() => setMode({ kind: "edit", id: k.id })}>
                        Edit
                      </button>
                      <button type="button" className={action} onClick={() => rotate.mutate({ id: k.id })}>
                        Rotate
                      </button>
                      {confirming === k.id ? (
                        <button
                          type="button"
                          className={`${action} bg-red-900 text-red-100`}
                          onClick={() => {
                            setConfirming(null);
                            revoke.mutate({ id: k.id });
                          }}
                        >
                          Confirm revoke
                        </button>
                      ) : (
                        <button type="button" className={`${action} text-red-400`} onClick={() => setConfirming(k.id)}>
                          Revoke
                        </button>
                      )}
                    </>
                  )}
                </td>
              </tr>
            ))}
            {keys.length === 0 && (
              <tr>
                <td colSpan={9} className="px-3 py-8 text-center text-zinc-500">
                  {list.isPending
                    ? "Loading…"
                    : "No keys yet. Clients use the admin key (CLAUDE_AUTH_KEY) until you create one."}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <AuditLog />
    </div>
  );
}
