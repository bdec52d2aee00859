// What the HTTP benchmarks (bench/gateway.mjs, bench/ollama-hosts.mjs) share: their command-line
// numbers, a free port, timed POSTs over a keep-alive agent, percentiles, and a gateway
// (scripts/serve.mjs) started on its own port and stopped again.
import { spawn } from "node:child_process";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { root } from "../scripts/lib.mjs";

/** `--name N` from the command line, as a number. */
export const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? Number(process.argv[i + 1]) : fallback;
};

export const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The p-th percentile (nearest rank below) of `xs`. */
export const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};

/** POSTs over one keep-alive agent of `maxSockets` connections (`post.close()` closes them). */
export function poster(maxSockets) {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  /** One POST of a JSON body; resolves with [ms to the first body byte, ms to the end]. */
  const post = (port, pathName, body) =>
    new Promise((resolve, reject) => {
      const t0 = process.hrtime.bigint();
      let first = null;
      const req = http.request(
        {
          host: "127.0.0.1",
          port,
          path: pathName,
          method: "POST",
          agent,
          headers: { "content-type": "application/json" },
        },
        (res) => {
          res.on("data", () => {
            first ??= process.hrtime.bigint();
          });
          res.on("end", () => {
            if (res.statusCode !== 200) return reject(new Error(`HTTP ${res.statusCode} from ${pathName}`));
            const end = process.hrtime.bigint();
            resolve([Number((first ?? end) - t0) / 1e6, Number(end - t0) / 1e6]);
          });
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  post.close = () => agent.destroy();
  return post;
}

/** `n` POSTs one after the other; each one's [first byte, end] element `pick` (ms). */
export async function sequential(post, port, pathName, body, n, pick) {
  const out = [];
  for (let i = 0; i < n; i++) out.push((await post(port, pathName, body))[pick]);
  return out;
}

/** Requests/s with `concurrency` clients POSTing for `seconds`. */
export async function throughput(post, port, pathName, body, concurrency, seconds) {
  let count = 0;
  const until = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < until) {
        await post(port, pathName, body);
        count++;
      }
    }),
  );
  return count / seconds;
}

/**
 * A gateway (scripts/serve.mjs) on a free port with `env` over a minimal environment (no Claude
 * binary), once `ready(port)` has resolved (tried every 100 ms for up to 30 s).
 * `nodeArgs`: e.g. BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile it.
 */
export async function startGateway(env, ready, nodeArgs = []) {
  const port = await freePort();
  const proc = spawn(process.execPath, [...nodeArgs, path.join(root, "scripts/serve.mjs")], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      PORT: String(port),
      HOST: "127.0.0.1",
      CLAUDE_BIN: "/nonexistent/claude",
      ...env,
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  for (let i = 0; ; i++) {
    try {
      await ready(port);
      return { proc, port };
    } catch (e) {
      if (i > 300) throw e;
      await sleep(100);
    }
  }
}

/** SIGTERM, then SIGKILL if it has not exited within 5 s. */
export async function stopGateway(proc) {
  if (proc.exitCode !== null) return;
  const exited = new Promise((r) => proc.once("exit", r));
  proc.kill("SIGTERM");
  await Promise.race([exited, sleep(5_000)]);
  if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
}

/** The results' first line: when, on what machine, under what load. */
export function machineLine() {
  const cpus = os.cpus();
  const load = os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(", ");
  return `- Date: ${new Date().toISOString()}; ${cpus.length} × ${cpus[0]?.model ?? "cpu"}, Node ${process.version}; load average at the start ${load} (a shared machine: other work was running)`;
}
