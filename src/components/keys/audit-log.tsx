"use client";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/client";
import { fmtTime } from "../format";
import { ErrorNote } from "../paging";

const th = "px-3 py-2 font-medium whitespace-nowrap";
const td = "px-3 py-2 align-top";

/** What changed, when, by whom (console or admin API) and from which address. */
export function AuditLog() {
  const trpc = useTRPC();
  const log = useQuery(trpc.keys.audit.queryOptions());
  const rows = log.data ?? [];
  return (
    <section aria-labelledby="audit" className="flex flex-col gap-2">
      <h2 id="audit" className="text-sm font-medium text-zinc-300">
        Audit log <span className="font-normal text-zinc-500">(the latest 100 key changes)</span>
      </h2>
      <ErrorNote error={log.error} />
      <div className="overflow-x-auto rounded-lg border border-zinc-800">
        <table className="w-full text-left text-sm" data-testid="audit-table">
          <thead className="bg-zinc-900 text-xs uppercase text-zinc-400">
            <tr>
              <th className={th}>When</th>
              <th className={th}>Key</th>
              <th className={th}>Action</th>
              <th className={th}>By</th>
              <th className={th}>Address</th>
              <th className={th}>Fields</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-zinc-800">
            {rows.map((e) => (
              <tr key={e.id}>
                <td className={`${td} whitespace-nowrap`}>{fmtTime(e.at)}</td>
                <td className={td}>{e.key_name ?? e.key_id}</td>
                <td className={td}>{e.action}</td>
                <td className={td}>{e.actor === "console" ? "console" : "admin API"}</td>
                <td className={`${td} font-mono text-xs`}>{e.address ?? "–"}</td>
                <td className={`${td} max-w-md break-all font-mono text-xs text-zinc-400`}>
                  {e.details ? JSON.stringify(e.details) : ""}
                </td>
              </tr>
            ))}
            {rows.length === 0 && (
              <tr>
                <td colSpan={6} className="px-3 py-6 text-center text-zinc-500">
                  {log.isPending ? "Loading…" : "No key changes yet."}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}
