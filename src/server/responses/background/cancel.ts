import "server-only";
import { ClientCancelled } from "../../chat/cancel";
import { env } from "../../env";
import { ResponseSnapshot } from "../snapshot";
import { local } from "./local";
import { endOrphan, requestCancel, runState } from "./store";
import { CANCEL_CHECK_MS } from "./watch";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Cancels a background response from any instance and answers its Response object as it then is:
 * `cancelled`, or what it ended as if it ended first (cancelling a finished one changes nothing). The
 * flag goes to the database; a run of this instance is stopped at once, one of another instance when
 * that instance next checks (CANCEL_CHECK_MS). A run whose instance died (lease expired) is ended here.
 */
export async function cancelBackground(id: string, by = "the client"): Promise<string | null> {
  if (await requestCancel(id)) {
    const run = local().runs.get(id);
    if (run) {
      run.controller.abort(new ClientCancelled(`background response cancelled by ${by}`));
      await Promise.race([run.done, sleep(30_000)]);
    } else {
      const deadline = Date.now() + env().BACKGROUND_LEASE_MS + 5_000;
      for (;;) {
        const state = await runState(id);
        if (!state || state.finished) break;
        const now = new Date();
        if (state.leaseUntil && state.leaseUntil < now) {
          const end = (body: string) => JSON.stringify(new ResponseSnapshot(JSON.parse(body)).end("cancelled"));
          await endOrphan(id, { leaseBefore: now }, "cancelled", end);
          break;
        }
        if (Date.now() > deadline) break;
        await sleep(CANCEL_CHECK_MS / 2);
      }
    }
  }
  return (await runState(id))?.body ?? null;
}
