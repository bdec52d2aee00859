/** `npm start` as a user runs it, in its own process group (so a failed test can still end it by its id). */
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { eventually, freePort } from "./gateway";

const root = path.resolve(import.meta.dirname, "../..");

export interface Launched {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `npm start` with exactly this environment (PATH added) on `env.PORT` or a free port. */
export async function npmStart(env: Record<string, string | undefined>): Promise<Launched> {
  const port = env.PORT ?? String(await freePort());
  const out: string[] = [];
  const child = spawn("npm", ["start"], {
    cwd: root,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { PATH: process.env.PATH, ...env, PORT: port } as unknown as NodeJS.ProcessEnv,
  });
  child.stdout?.on("data", (d) => out.push(String(d)));
  child.stderr?.on("data", (d) => out.push(String(d)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return { child, url: `http://127.0.0.1:${port}`, output: () => out.join(""), exited };
}

/** Waits until `/health` answers 200 (a build may come first); fails with the output if npm start exits. */
export async function healthy(l: Launched): Promise<void> {
  let done = false;
  void l.exited.then(() => {
    done = true;
  });
  await eventually(
    async () => {
      if (done) throw new Error(`npm start exited:\n${l.output()}`);
      try {
        const r = await fetch(`${l.url}/health`, { signal: AbortSignal.timeout(5_000) });
        await r.body?.cancel();
        return r.ok;
      } catch {
        return false;
      }
    },
    90_000,
    () => l.output(),
  );
}
