export { responseNotFound } from "./errors";
export { createResponse, responseBody, responseIdOf } from "./service";
export { deleteResponse } from "./store";
