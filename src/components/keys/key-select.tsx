"use client";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/client";

/** The keys' names, fetched once per page (shared by every row through React Query's cache). */
function useKeyNames() {
  const trpc = useTRPC();
  return useQuery({ ...trpc.keys.names.queryOptions(), staleTime: 60_000 });
}

/** The request log's key filter. */
export function KeySelect({
  className,
  value,
  onChange,
}: {
  className: string;
  value: string;
  onChange: (keyId: string) => void;
}) {
  const names = useKeyNames();
  return (
    <label className="flex flex-col gap-1 text-xs text-zinc-400">
      Key
      <select className={className} value={value} onChange={(e) => onChange(e.target.value)} name="key">
        <option value="">All keys</option>
        {(names.data ?? []).map((k) => (
          <option key={k.id} value={k.id}>
            {k.name} ({k.prefix}…)
          </option>
        ))}
        {value && !names.data?.some((k) => k.id === value) && <option value={value}>{value}</option>}
      </select>
    </label>
  );
}

/** A key's name where a request or session shows its key ("–": admin, console or an open gateway). */
export function KeyName({ id }: { id: string | null | undefined }) {
  const names = useKeyNames();
  if (!id) return <span className="text-zinc-600">–</span>;
  const k = names.data?.find((x) => x.id === id);
  return (
    <span title={id} data-testid="key-name">
      {k?.name ?? id}
    </span>
  );
}
