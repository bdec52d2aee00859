import { usageByModel } from "@/server/usage/summary";

export const dynamic = "force-dynamic";

const fmt = new Intl.NumberFormat("en-US");

export default async function Dashboard() {
  const rows = await usageByModel({ since: null, until: null });
  return (
    <main className="mx-auto max-w-6xl p-6">
      <h1 className="text-2xl font-semibold">cc-bridge usage</h1>
      <table className="mt-6 w-full text-left text-sm">
        <thead className="text-zinc-400">
          <tr>
            <th className="py-2">Model</th>
            <th>Provider</th>
            <th className="text-right">Requests</th>
            <th className="text-right">Errors</th>
            <th className="text-right">Prompt tokens</th>
            <th className="text-right">Completion tokens</th>
            <th className="text-right">Avg duration (ms)</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={`${r.model}|${r.provider}`} className="border-t border-zinc-800">
              <td className="py-2 font-mono">{r.model || "(none)"}</td>
              <td>{r.provider || "-"}</td>
              <td className="text-right">{fmt.format(r.requests)}</td>
              <td className="text-right">{fmt.format(r.errors)}</td>
              <td className="text-right">{fmt.format(r.prompt_tokens)}</td>
              <td className="text-right">{fmt.format(r.completion_tokens)}</td>
              <td className="text-right">{fmt.format(r.avg_duration_ms)}</td>
            </tr>
          ))}
          {rows.length === 0 && (
            <tr>
              <td colSpan={7} className="py-6 text-center text-zinc-500">
                No requests yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </main>
  );
}
