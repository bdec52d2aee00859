import { postResponses } from "@/server/http/responses";

export const dynamic = "force-dynamic";

// Every method goes to the front door: POST is served, the others are 405 (recorded).
export {
  postResponses as POST,
  postResponses as GET,
  postResponses as PUT,
  postResponses as PATCH,
  postResponses as DELETE,
  postResponses as OPTIONS,
};
