import { subjectOf } from "./subject";

/** A request's model, or the endpoint it called when it named none (see subject.ts). */
export function Subject({ model, endpoint }: { model: string; endpoint?: string | null }) {
  const s = subjectOf(model, endpoint);
  return (
    <>
      <span className={model ? "" : "text-zinc-400"} data-testid="subject">
        {s.label}
      </span>
      {s.note && <span className="ml-1.5 text-xs text-zinc-500">{s.note}</span>}
    </>
  );
}
