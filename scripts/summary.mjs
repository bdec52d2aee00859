// The one line `npm test` ends with, computed from vitest's JSON report. Node built-ins only.
import path from "node:path";

/**
 * A test file whose status is "failed" with no failed test in it failed outside any test: it could
 * not be loaded (a missing import, a syntax error) or a hook threw. Vitest counts no failed test for
 * it, so it is counted here as one failure: a summary must never say "0 failed" for such a run.
 * A run that vitest calls unsuccessful with nothing else failed (an unhandled error) counts as one too.
 */
export function summarize(report, root = "/") {
  const files = (report.testResults ?? [])
    .filter((f) => f.status === "failed" && !(f.assertionResults ?? []).some((a) => a.status === "failed"))
    .map((f) => ({ file: path.relative(root, f.name), message: firstLine(f.message) }));
  let failed = (report.numFailedTests ?? 0) + files.length;
  const unexplained = report.success === false && failed === 0;
  if (unexplained) failed = 1;
  const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  let line = `${report.numPassedTests ?? 0} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`;
  if (files.length) {
    const list = files.map((f) => `${f.file}${f.message ? `: ${f.message}` : ""}`).join("; ");
    line += ` (${files.length} test file${files.length === 1 ? "" : "s"} failed outside any test: ${list})`;
  }
  if (unexplained) line += " (vitest reported an error outside any test: see above)";
  return { line, failed, ok: failed === 0 };
}

function firstLine(message) {
  const line = String(message ?? "").split("\n")[0] ?? "";
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
