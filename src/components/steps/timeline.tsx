"use client";
// What a run did (issue 25): its model calls and tool calls in order, a sub-agent's steps nested under
// the tool call that started it, and the files it wrote or edited. Used by the request detail (open)
// and by each turn of a session (folded).
import type { Step } from "@/server/steps/types";
import { fmtInt, fmtMs } from "../format";

/** Bytes as B, KB, MB. */
const fmtBytes = (n: number | null) =>
  n == null
    ? ""
    : n < 1024
      ? `${n} B`
      : n < 1024 * 1024
        ? `${(n / 1024).toFixed(1)} KB`
        : `${(n / 1048576).toFixed(1)} MB`;

/** The one-line account of a run: "5 model calls · 6 tool calls (1 failed) · 1 file changed". */
export function stepsLine(steps: readonly Step[]): string {
  const models = steps.filter((s) => s.kind === "model").length;
  const tools = steps.filter((s) => s.kind === "tool");
  const failed = tools.filter((s) => s.outcome === "error").length;
  const files = new Set(steps.flatMap((s) => (s.path ? [s.path] : []))).size;
  const plural = (n: number, w: string) => `${fmtInt(n)} ${w}${n === 1 ? "" : "s"}`;
  return [
    plural(models, "model call"),
    `${plural(tools.length, "tool call")}${failed ? ` (${fmtInt(failed)} failed)` : ""}`,
    ...(files ? [`${plural(files, "file")} changed`] : []),
  ].join(" · ");
}

function Outcome({ step }: { step: Step }) {
  if (step.kind === "model") return null;
  const [text, cls] =
    step.outcome === "ok"
      ? ["ok", "bg-emerald-900/50 text-emerald-300"]
      : step.outcome === "error"
        ? ["error", "bg-red-900/50 text-red-300"]
        : step.durationMs === null
          ? ["running", "bg-sky-900/50 text-sky-300"]
          : ["no result", "bg-zinc-800 text-zinc-400"];
  return <span className={`rounded px-1.5 py-0.5 text-[11px] ${cls}`}>{text}</span>;
}

function StepRow({ step, t0, children }: { step: Step; t0: number; children: Step[] }) {
  return (
    <div
      className="flex min-w-0 flex-wrap items-baseline gap-x-2 gap-y-0.5 text-sm"
      data-testid="step"
      data-kind={step.kind}
    >
      <span className="w-14 shrink-0 text-right font-mono text-xs text-zinc-500">+{fmtMs(step.startedAt - t0)}</span>
      {step.kind === "model" ? (
        <span className="text-zinc-400">
          model <span className="font-mono text-zinc-300">{step.model ?? "?"}</span>
        </span>
      ) : (
        <span className="font-mono font-medium text-amber-300">{step.tool}</span>
      )}
      <Outcome step={step} />
      {step.summary && (
        <span className="min-w-0 flex-1 basis-40 truncate font-mono text-xs text-zinc-300" title={step.summary}>
          {step.summary}
        </span>
      )}
      <span className="ml-auto flex flex-wrap justify-end gap-x-2 font-mono text-xs text-zinc-500">
        {step.kind === "model" && (
          <span>
            {fmtInt(step.inputTokens)} in · {fmtInt(step.outputTokens)} out
          </span>
        )}
        {step.resultBytes != null && <span>{fmtBytes(step.resultBytes)}</span>}
        <span>{step.durationMs == null ? "…" : fmtMs(step.durationMs)}</span>
        {children.length > 0 && <span className="text-violet-300">sub-agent</span>}
      </span>
      {step.full && (
        <details className="basis-full pl-16" data-testid="step-full">
          <summary className="cursor-pointer text-xs text-zinc-500">input and result</summary>
          <pre className="mt-1 max-h-64 overflow-auto whitespace-pre-wrap break-all rounded bg-zinc-950 p-2 font-mono text-xs text-zinc-300">
            {step.full.input}
          </pre>
          {step.full.result !== null && (
            <pre className="mt-1 max-h-64 overflow-auto whitespace-pre-wrap break-all rounded bg-zinc-950 p-2 font-mono text-xs text-zinc-400">
              {step.full.result}
            </pre>
          )}
        </details>
      )}
    </div>
  );
}

function Branch({ steps, all, t0 }: { steps: Step[]; all: Step[]; t0: number }) {
  return (
    <ol className="flex flex-col gap-1">
      {steps.map((s) => {
        const children = all.filter((c) => c.parentSeq === s.seq);
        return (
          <li key={s.seq}>
            <StepRow step={s} t0={t0}>
              {children}
            </StepRow>
            {children.length > 0 && (
              <div className="mt-1 ml-4 border-l border-violet-800/70 pl-3" data-testid="sub-agent">
                <Branch steps={children} all={all} t0={t0} />
              </div>
            )}
          </li>
        );
      })}
    </ol>
  );
}

/** The timeline of a run's steps; `folded` puts it in a <details> (a session's turns). */
export function StepsTimeline({ steps, folded = false }: { steps: readonly Step[]; folded?: boolean }) {
  if (steps.length === 0) return null;
  const all = [...steps];
  const t0 = Math.min(...all.map((s) => s.startedAt));
  const files = [...new Set(all.flatMap((s) => (s.path ? [s.path] : [])))];
  const body = (
    <div className="flex flex-col gap-3">
      <Branch steps={all.filter((s) => s.parentSeq === null)} all={all} t0={t0} />
      {files.length > 0 && (
        <div data-testid="files-changed">
          <h3 className="text-xs uppercase tracking-wide text-zinc-500">Files changed</h3>
          <ul className="mt-1 font-mono text-xs text-zinc-300">
            {files.map((f) => (
              <li key={f} className="wrap-anywhere">
                {f}
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
  return folded ? (
    <details className="rounded-lg border border-zinc-800 bg-zinc-900/40 p-3" data-testid="steps">
      <summary className="cursor-pointer text-xs text-zinc-400">Steps: {stepsLine(all)}</summary>
      <div className="mt-3">{body}</div>
    </details>
  ) : (
    <section
      aria-label="Steps"
      className="flex flex-col gap-2 rounded-lg border border-zinc-800 bg-zinc-900/40 p-4"
      data-testid="steps"
    >
      <h2 className="text-sm font-medium text-zinc-300">
        Steps <span className="font-normal text-zinc-500">· {stepsLine(all)}</span>
      </h2>
      {body}
    </section>
  );
}
