"use client";
import { useMutation } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/client";

/** The admin's Cancel for a background response still queued or running (the same cancel as the API's). */
export function CancelBackground({ id, status, onDone }: { id: string; status: string | null; onDone: () => void }) {
  const trpc = useTRPC();
  const cancel = useMutation(trpc.requests.cancelBackground.mutationOptions({ onSettled: onDone }));
  if (status !== "queued" && status !== "in_progress") return null;
  return (
    <span className="flex items-center gap-2">
      <button
        type="button"
        data-testid="cancel-background"
        disabled={cancel.isPending}
        onClick={() => cancel.mutate({ id })}
        className="rounded border border-red-800 px-2 py-0.5 text-xs text-red-300 hover:bg-red-950 disabled:opacity-50"
      >
        {cancel.isPending ? "Cancelling…" : "Cancel run"}
      </button>
      {cancel.error && (
        <span role="alert" className="text-xs text-red-400">
          {cancel.error.message}
        </span>
      )}
    </span>
  );
}
