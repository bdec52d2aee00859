import { responseById } from "@/server/http/responses";

export const dynamic = "force-dynamic";

// GET and DELETE are served; the other methods are 405 (recorded), all through the front door.
export {
  responseById as GET,
  responseById as DELETE,
  responseById as POST,
  responseById as PUT,
  responseById as PATCH,
  responseById as OPTIONS,
};
