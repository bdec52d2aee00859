// The summary line `npm test` prints (scripts/summary.mjs), fed vitest's real JSON report of a run in
// which one file failed to load, one failed in a hook and one had a failing test.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { summarize, type VitestJsonReport } from "../../scripts/summary.mjs";

const sample: VitestJsonReport = JSON.parse(
  fs.readFileSync(path.join(import.meta.dirname, "../fixtures/vitest-report.json"), "utf8"),
);

describe("npm test summary", () => {
  it("counts a file that failed to load, and one whose hook threw, as failures", () => {
    // vitest itself counts 1 failed test here: the file that could not load has no tests at all.
    expect(sample.numFailedTests).toBe(1);
    const s = summarize(sample, "/repo");
    expect(s.failed).toBe(3);
    expect(s.ok).toBe(false);
    expect(s.line).toMatch(/^1 passed, 3 failed, 2 skipped \(2 test files failed outside any test: /);
    expect(s.line).toContain("tests/integration/load.test.ts: Cannot find module './does-not-exist.json'");
    expect(s.line).toContain("tests/integration/hook.test.ts: hook boom");
    expect(s.line).not.toContain("/ok.test.ts");
  });

  it("says 0 failed only when nothing failed", () => {
    const passing: VitestJsonReport = {
      numPassedTests: 2,
      numFailedTests: 0,
      numPendingTests: 0,
      numTodoTests: 0,
      success: true,
      testResults: [{ name: "/repo/a.test.ts", status: "passed", assertionResults: [{ status: "passed" }] }],
    };
    expect(summarize(passing, "/repo")).toEqual({ line: "2 passed, 0 failed", failed: 0, ok: true });
  });

  it("a run vitest calls unsuccessful with no failed file still counts a failure", () => {
    const s = summarize({ numPassedTests: 5, numFailedTests: 0, success: false, testResults: [] });
    expect(s.failed).toBe(1);
    expect(s.line).toMatch(/^5 passed, 1 failed \(vitest reported an error outside any test/);
  });
});
