import { apiRoute, otherMethods } from "@/server/http/handler";
import { namedRows, parseTime, usageByModel } from "@/server/usage/summary";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async (request) => {
  const q = new URL(request.url).searchParams;
  const since = parseTime(q.get("since"), "since");
  const until = parseTime(q.get("until"), "until");
  const data = namedRows(await usageByModel({ since, until }));
  return Response.json({
    object: "list",
    since: since?.toISOString() ?? null,
    until: until?.toISOString() ?? null,
    data,
  });
});
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
