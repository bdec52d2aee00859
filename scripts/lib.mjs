// Set-up steps shared by `npm start`, `npm test` and the test suite. Node built-ins only at the top:
// this file runs before dependencies are installed.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const r = (...p) => path.join(root, ...p);

function run(cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, { cwd: root, stdio: "inherit", ...opts });
  if (res.status !== 0) {
    console.error(`cc-bridge: "${cmd} ${args.join(" ")}" failed (exit ${res.status ?? res.signal})`);
    process.exit(res.status || 1);
  }
}

const nodeBin = (pkgPath) => [process.execPath, r("node_modules", pkgPath)];

const readJson = (file) => {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return null;
  }
};

/**
 * Why node_modules does not hold exactly what package-lock.json names (null when it does): compared
 * with npm's own record of what it installed (node_modules/.package-lock.json). Optional packages
 * (other platforms' binaries) may be absent.
 */
export function depsMismatch(dir = root) {
  const want = readJson(path.join(dir, "package-lock.json"))?.packages;
  if (!want) return "package-lock.json is missing or unreadable";
  const have = readJson(path.join(dir, "node_modules", ".package-lock.json"))?.packages;
  if (!have) return "node_modules is missing";
  for (const [key, pkg] of Object.entries(want)) {
    if (key === "" || pkg.link) continue;
    const got = have[key];
    if (!got) {
      if (pkg.optional || pkg.devOptional || pkg.peer) continue;
      return `${key} is not installed`;
    }
    if (got.version !== pkg.version) return `${key} is ${got.version}, the lock file says ${pkg.version}`;
  }
  return null;
}

/**
 * Installs exactly the lock file (`npm ci`) when node_modules is missing or differs from it. Never
 * `npm install`: that may rewrite package-lock.json, and a fresh clone must leave it as committed.
 */
export function ensureDeps() {
  const why = depsMismatch();
  if (!why) return;
  console.log(`cc-bridge: installing dependencies from package-lock.json (npm ci): ${why}…`);
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  // The whole tree whatever NODE_ENV says, so `npm start` and `npm test` agree on one node_modules.
  run(npm, ["ci", "--include=dev", "--no-audit", "--no-fund"]);
}

function hashOf(files) {
  const h = createHash("sha256");
  for (const f of files.sort()) {
    h.update(path.relative(root, f));
    h.update(fs.readFileSync(f));
  }
  return h.digest("hex");
}

function walk(dir, out = []) {
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

/**
 * Generates the Prisma clients when the schema changed since the last generation: the SQLite one
 * (src/generated/prisma) and the PostgreSQL one (src/generated/prisma-pg, from prisma/postgres/schema.prisma,
 * which scripts/pg-schema.mjs derives from prisma/schema.prisma).
 */
export function ensurePrismaClient() {
  const stamp = r("src", "generated", "prisma", ".schema-hash");
  const pgStamp = r("src", "generated", "prisma-pg", ".schema-hash");
  const inputs = [r("prisma", "schema.prisma"), r("prisma", "postgres", "schema.prisma"), r("package-lock.json")];
  const hash = hashOf(inputs.filter(fs.existsSync));
  const fresh = (f) => fs.existsSync(f) && fs.readFileSync(f, "utf8") === hash;
  if (fresh(stamp) && fresh(pgStamp)) return;
  const [node, prisma] = nodeBin("prisma/build/index.js");
  const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: "1" };
  run(node, [prisma, "generate"], { env });
  fs.writeFileSync(stamp, hash);
  run(node, [prisma, "generate", "--config", r("prisma", "postgres", "prisma.config.ts")], { env });
  fs.writeFileSync(pgStamp, hash);
}

/** Every file the Next.js build depends on: the sources, public/ and the configuration it reads. */
export function buildInputs() {
  return [
    ...walk(r("src")).filter((f) => !f.endsWith(".test.ts") && !f.includes(`${path.sep}generated${path.sep}`)),
    ...walk(r("public")),
    ...[
      "next.config.mjs",
      "tailwind.config.ts",
      "postcss.config.mjs",
      "tsconfig.json",
      "package.json", // src/server/version.ts imports it
      "package-lock.json",
      "prisma/schema.prisma",
    ]
      .map((f) => r(f))
      .filter(fs.existsSync),
  ];
}

/** Builds the Next.js app when any input of the build changed since the last build. */
export function ensureBuild() {
  const inputs = buildInputs();
  const stamp = r(".next", "cc-bridge-build.hash");
  const hash = hashOf(inputs);
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, "utf8") === hash && fs.existsSync(r(".next", "BUILD_ID"))) return;
  console.log("cc-bridge: building (next build)…");
  const [node, next] = nodeBin("next/dist/bin/next");
  run(node, [next, "build"], { env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
  fs.writeFileSync(stamp, hash);
}

/**
 * The committed migrations not yet applied to the SQLite file at dbPath, read with better-sqlite3
 * read-only from Prisma's `_prisma_migrations` table (all of them when it has none); null when that
 * cannot be told (no file yet, unreadable). Only finished, not rolled back migrations count as applied.
 */
export function pendingMigrations(dbPath) {
  const folders = fs
    .readdirSync(r("prisma", "migrations"), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name);
  if (!fs.existsSync(dbPath)) return null;
  const Database = createRequire(import.meta.url)("better-sqlite3");
  let db;
  try {
    db = new Database(dbPath, { readonly: true, fileMustExist: true, timeout: 5_000 });
    const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'");
    if (!table.get()) return folders;
    const applied = new Set(
      db
        .prepare(
          "SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL",
        )
        .all()
        .map((row) => row.name),
    );
    return folders.filter((f) => !applied.has(f));
  } catch {
    return null;
  } finally {
    db?.close();
  }
}

/**
 * Applies the committed migrations to the SQLite file at dbPath, creating its folders. When every
 * migration is already applied it does nothing, so a second instance can start on a database another
 * one is using (Prisma's migrate takes locks that a running instance makes it fail on).
 */
export function migrate(dbPath, databaseUrl) {
  if (databaseUrl) return migratePostgres(databaseUrl);
  const abs = path.resolve(dbPath);
  if (pendingMigrations(abs)?.length === 0) return;
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  const [node, prisma] = nodeBin("prisma/build/index.js");
  const res = spawnSync(node, [prisma, "migrate", "deploy"], {
    cwd: root,
    env: { ...process.env, USAGE_DB_PATH: abs, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
    encoding: "utf8",
  });
  if (res.status !== 0) {
    const out = res.stdout + res.stderr;
    process.stderr.write(out);
    if (/SocketTimeout|database is locked|SQLITE_BUSY/i.test(out)) {
      console.error(
        `cc-bridge: the database ${abs} is busy: another process (a running cc-bridge?) is using it while ` +
          `migrations are pending (${pendingMigrations(abs)?.join(", ") || "unknown"}). Stop every process using ` +
          "that file, start one instance to apply the migrations, then start the others again; or set " +
          "USAGE_DB_PATH to another file.",
      );
    } else console.error(`cc-bridge: applying migrations to ${abs} failed`);
    process.exit(1);
  }
}

/**
 * Applies prisma/postgres/migrations to the PostgreSQL database at url (DATABASE_URL) with
 * `prisma migrate deploy` (its config carries the adapter workarounds: prisma/postgres/adapter.ts).
 * Skipped when scripts/pg-pending.mjs finds nothing pending, so instances start fast on a migrated
 * database. Instances starting together: Prisma's advisory lock lets one migrate; the others give up
 * after 10 s and try again here, finding nothing pending once it is done.
 */
export function migratePostgres(url) {
  const env = { ...process.env, DATABASE_URL: url, PRISMA_HIDE_UPDATE_MESSAGE: "1" };
  const pending = () =>
    spawnSync(process.execPath, [r("scripts", "pg-pending.mjs")], { cwd: root, env, encoding: "utf8" }).stdout?.trim();
  const [node, prisma] = nodeBin("prisma/build/index.js");
  const config = r("prisma", "postgres", "prisma.config.ts");
  for (let attempt = 1; ; attempt++) {
    if (pending() === "[]") return;
    const res = spawnSync(node, [prisma, "migrate", "deploy", "--config", config], {
      cwd: root,
      env,
      encoding: "utf8",
    });
    if (res.status === 0) return;
    const out = res.stdout + res.stderr;
    // Another instance is migrating (Prisma's advisory lock waits 10 s): when it is done, nothing is pending.
    if (/advisory lock/i.test(out) && attempt < 10) continue;
    process.stderr.write(out);
    console.error("cc-bridge: applying migrations to the PostgreSQL database (DATABASE_URL) failed");
    process.exit(1);
  }
}

/**
 * The server's own zod schema module (src/server/env-schema.ts), transpiled once per version of its
 * source. `query` loads a fresh instance of it (its machine-dependent defaults evaluated again).
 */
export async function importEnvSchema(query = "") {
  const src = fs.readFileSync(r("src", "server", "env-schema.ts"), "utf8");
  const dir = r("node_modules", ".cache", "cc-bridge");
  const file = path.join(dir, `env-schema.${createHash("sha1").update(src).digest("hex").slice(0, 12)}.mjs`);
  // Importing TypeScript takes seconds on a busy machine: only when this source was not transpiled yet.
  if (!fs.existsSync(file)) {
    const ts = (await import("typescript")).default;
    const out = ts.transpileModule(src, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    fs.mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, out.outputText);
    fs.renameSync(tmp, file); // whole or absent, even with several starts at once
  }
  return import(pathToFileURL(file).href + query);
}

/** Validates the environment with the server's own zod schema (src/server/env-schema.ts). */
export async function loadEnv(source = process.env) {
  const { parseEnv } = await importEnvSchema();
  const result = parseEnv(source);
  if (!result.ok) {
    console.error(result.message);
    process.exit(1);
  }
  return result.env;
}
