import { usageScope } from "@/server/access/policy";
import { usageByModelForKey } from "@/server/access/usage";
import { apiRoute, otherMethods } from "@/server/http/handler";
import { namedRows, parseTime, usageByModel } from "@/server/usage/summary";

export const dynamic = "force-dynamic";

/** A bare JSON array of rows, as the Go cc_bridge documented; `?key_id=` narrows to one key's records. */
export const GET = apiRoute(async (request, _ctx, _params, principal) => {
  const q = new URL(request.url).searchParams;
  const since = parseTime(q.get("since"), "since");
  const until = parseTime(q.get("until"), "until");
  const keyId = usageScope(principal, q.get("key_id") || null);
  const rows = keyId ? await usageByModelForKey(keyId, { since, until }) : await usageByModel({ since, until });
  return Response.json(namedRows(rows));
});
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
