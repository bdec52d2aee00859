// Once per `vitest run` and project: migrate a template database that each test database copies
// (cheaper than running migrations for every server), in a folder removed after the run.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ensurePrismaClient, migrate } from "../../scripts/lib.mjs";

export default function setup({ provide }: { provide: (key: string, value: unknown) => void }) {
  ensurePrismaClient();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cc-bridge-template-"));
  const db = path.join(dir, "template.db");
  migrate(db);
  provide("templateDb", db);
  provide("tmpRoot", dir);
  return () => fs.rmSync(dir, { recursive: true, force: true });
}

declare module "vitest" {
  export interface ProvidedContext {
    templateDb: string;
    /** A folder removed after the run: test databases and scratch files go below it. */
    tmpRoot: string;
  }
}
