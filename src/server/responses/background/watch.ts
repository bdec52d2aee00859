import "server-only";
import { ClientCancelled } from "../../chat/cancel";
import { dialect } from "../../db";
import { env } from "../../env";
import { log } from "../../log";
import { ResponseSnapshot } from "../snapshot";
import { local } from "./local";
import { endOrphan, type Orphaned, orphans, renewAndCheck } from "./store";

/** How often this instance looks for cancels of its runs asked on another instance. */
export const CANCEL_CHECK_MS = 250;

const g = globalThis as unknown as { __ccBridgeBackgroundWatch?: NodeJS.Timeout };

export const interrupted = (body: string, why: string): string =>
  JSON.stringify(
    new ResponseSnapshot(JSON.parse(body)).end("failed", {
      code: "server_error",
      message: `The run was interrupted: ${why}.`,
    }),
  );

/**
 * Runs nobody runs any more become `failed` (interrupted): those whose lease expired (their instance
 * died; any instance sweeps them), and, on SQLite (one instance), at start every run of an earlier process.
 */
export async function sweep(where: Orphaned): Promise<number> {
  let n = 0;
  for (const id of await orphans(where)) {
    if (await endOrphan(id, where, "failed", (b) => interrupted(b, "the gateway instance running it stopped"))) n++;
  }
  if (n) log({ level: "warn", msg: `${n} background response(s) of a stopped instance marked failed` }, "stderr");
  return n;
}

/** One tick: cancels asked elsewhere (every tick), the lease of this instance's runs and the sweep (every third of a lease). */
async function tick(state: { lastLease: number }) {
  const registry = local();
  const leaseMs = env().BACKGROUND_LEASE_MS;
  const now = Date.now();
  const renew = now - state.lastLease >= leaseMs / 3;
  if (renew) state.lastLease = now;
  const ids = [...registry.runs.keys()];
  for (const id of await renewAndCheck(ids, registry.instance, renew ? new Date(now + leaseMs) : null)) {
    registry.runs.get(id)?.controller.abort(new ClientCancelled("background response cancelled"));
  }
  if (renew) await sweep({ leaseBefore: new Date(now) });
}

/** Starts this instance's watch (once): at start on SQLite, the runs a previous process left are failed. */
export function ensureWatch(): void {
  if (g.__ccBridgeBackgroundWatch) return;
  const state = { lastLease: 0 };
  let busy = false;
  const fail = (e: unknown) => log({ level: "error", msg: "background watch failed", error: String(e) }, "stderr");
  if (dialect() === "sqlite") void sweep({ notRunner: local().instance }).catch(fail);
  g.__ccBridgeBackgroundWatch = setInterval(() => {
    if (busy) return;
    busy = true;
    tick(state)
      .catch(fail)
      .finally(() => {
        busy = false;
      });
  }, CANCEL_CHECK_MS);
  g.__ccBridgeBackgroundWatch.unref();
}
