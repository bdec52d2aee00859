import { health } from "@/server/health";
import { apiRoute, otherMethods } from "@/server/http/handler";

export const dynamic = "force-dynamic";

export const GET = apiRoute(
  async () => {
    const { status, body } = await health();
    return Response.json(body, { status, headers: { "cache-control": "no-store" } });
  },
  { auth: false },
);
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"], { auth: false });
