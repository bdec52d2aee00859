import { apiRoute, otherMethods } from "@/server/http/handler";
import { metricsResponse } from "@/server/metrics";

export const dynamic = "force-dynamic";

export const GET = apiRoute((request) => metricsResponse(request), { auth: false });
export const { POST, PUT, PATCH, DELETE } = otherMethods(["GET"], { auth: false });
