import { responseById } from "@/server/http/responses";

export const dynamic = "force-dynamic";

export const { GET, DELETE, POST, PUT, PATCH } = responseById;
