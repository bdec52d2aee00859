// A private PostgreSQL cluster (plain JavaScript, so bench/ scripts use it too; tests/helpers/postgres.ts
// wraps it for the tests): `initdb` into a temp dir, `pg_ctl start` on a free port with the Unix socket in
// that dir, stop() ends it and removes the dir. As root the server runs as the `postgres` user
// (PostgreSQL refuses root). Binaries: PATH, else Debian's /usr/lib/postgresql/<v>/bin (.ci/run installs
// Debian's postgresql when neither has initdb).
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export function pgBinDir() {
  for (const dir of (process.env.PATH ?? "").split(":")) {
    if (dir && fs.existsSync(path.join(dir, "initdb"))) return dir;
  }
  const debian = "/usr/lib/postgresql";
  const versions = fs.existsSync(debian) ? fs.readdirSync(debian).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions)
    if (fs.existsSync(path.join(debian, v, "bin", "initdb"))) return path.join(debian, v, "bin");
  throw new Error("PostgreSQL server binaries (initdb, pg_ctl) not found: install Debian's postgresql (.ci/run does)");
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Starts a cluster; `settings` are extra `-c name=value` server settings. */
export async function startCluster(settings = ["fsync=off"]) {
  const bin = pgBinDir();
  const root = process.getuid?.() === 0;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cc-bridge-pg-"));
  const data = path.join(dir, "data");
  const run = (cmd, args) => {
    const [file, argv] = root
      ? ["runuser", ["-u", "postgres", "--", path.join(bin, cmd), ...args]]
      : [path.join(bin, cmd), args];
    const res = spawnSync(file, argv, { cwd: dir, encoding: "utf8" });
    if (res.status !== 0) throw new Error(`${cmd} failed: ${res.stdout}${res.stderr}`);
  };
  if (root) execFileSync("chown", ["postgres", dir]);
  run("initdb", ["-N", "-A", "trust", "-U", "postgres", "-E", "UTF8", "-D", data]);
  const port = await freePort();
  const opts = [`-p ${port}`, `-k ${dir}`, ...settings.map((s) => `-c ${s}`)].join(" ");
  run("pg_ctl", ["-w", "-D", data, "-l", path.join(dir, "log"), "-o", opts, "start"]);
  return {
    port,
    url: (database) => `postgresql://postgres@127.0.0.1:${port}/${database}`,
    stop() {
      try {
        run("pg_ctl", ["-w", "-D", data, "-m", "immediate", "stop"]);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
