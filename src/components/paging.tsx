/** Pieces shared by the paged lists (requests, sessions). */
export function ErrorNote({ error }: { error: { message: string } | null }) {
  if (!error) return null;
  return (
    <p role="alert" className="text-sm text-red-400">
      {error.message}
    </p>
  );
}

export function LoadMore({
  list,
}: {
  list: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => unknown };
}) {
  if (!list.hasNextPage) return null;
  return (
    <button
      type="button"
      onClick={() => list.fetchNextPage()}
      disabled={list.isFetchingNextPage}
      className="self-center rounded border border-zinc-700 px-4 py-1.5 text-sm hover:bg-zinc-900 disabled:opacity-50"
    >
      {list.isFetchingNextPage ? "Loading…" : "Load more"}
    </button>
  );
}
