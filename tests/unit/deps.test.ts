// scripts/lib.mjs depsMismatch(): when `npm start` / `npm test` run `npm ci` (never `npm install`).
import fs from "node:fs";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import { depsMismatch } from "../../scripts/lib.mjs";

const lock = {
  name: "x",
  lockfileVersion: 3,
  packages: {
    "": { name: "x" },
    "node_modules/a": { version: "1.0.0" },
    "node_modules/b": { version: "2.0.0", dev: true },
    "node_modules/@img/sharp-win32-x64": { version: "0.1.0", optional: true },
  },
};

function project(installed: Record<string, unknown> | null, lockFile: unknown = lock): string {
  const dir = fs.mkdtempSync(path.join(inject("tmpRoot"), "deps-"));
  fs.writeFileSync(path.join(dir, "package-lock.json"), JSON.stringify(lockFile));
  if (installed) {
    fs.mkdirSync(path.join(dir, "node_modules"));
    fs.writeFileSync(path.join(dir, "node_modules", ".package-lock.json"), JSON.stringify({ packages: installed }));
  }
  return dir;
}

describe("depsMismatch", () => {
  const exact = { "node_modules/a": { version: "1.0.0" }, "node_modules/b": { version: "2.0.0" } };

  it("is null when node_modules holds what the lock file names (another platform's optional package absent)", () => {
    expect(depsMismatch(project(exact))).toBeNull();
  });

  it("names a missing node_modules", () => {
    expect(depsMismatch(project(null))).toBe("node_modules is missing");
  });

  it("names a package missing or at another version than the lock file's", () => {
    expect(depsMismatch(project({ "node_modules/a": { version: "1.0.0" } }))).toBe("node_modules/b is not installed");
    expect(depsMismatch(project({ ...exact, "node_modules/a": { version: "1.0.1" } }))).toBe(
      "node_modules/a is 1.0.1, the lock file says 1.0.0",
    );
  });

  it("names a missing lock file", () => {
    const dir = project(exact);
    fs.rmSync(path.join(dir, "package-lock.json"));
    expect(depsMismatch(dir)).toBe("package-lock.json is missing or unreadable");
  });
});
