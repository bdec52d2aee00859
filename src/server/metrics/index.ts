import "server-only";
import { requireBearer } from "../access/policy";
import { env } from "../env";
import { metrics } from "./registry";

/** GET /metrics: Prometheus text format; needs METRICS_KEY when set, else CLAUDE_AUTH_KEY when set. */
export async function metricsResponse(request: Request): Promise<Response> {
  const e = env();
  requireBearer(request, e.METRICS_KEY ?? e.CLAUDE_AUTH_KEY);
  const { registry } = metrics();
  return new Response(await registry.metrics(), {
    headers: { "content-type": registry.contentType, "cache-control": "no-store" },
  });
}
