import { postMessages } from "@/server/http/messages";

export const dynamic = "force-dynamic";

// POST is served; the other methods are 405 (recorded), all through the front door.
export {
  postMessages as POST,
  postMessages as GET,
  postMessages as PUT,
  postMessages as PATCH,
  postMessages as DELETE,
  postMessages as OPTIONS,
};
