import { cancelResponseById } from "@/server/http/responses";

export const dynamic = "force-dynamic";

// POST is served; the other methods are 405 (recorded), all through the front door.
export {
  cancelResponseById as POST,
  cancelResponseById as GET,
  cancelResponseById as PUT,
  cancelResponseById as PATCH,
  cancelResponseById as DELETE,
  cancelResponseById as OPTIONS,
};
