export { createResponse, getResponse, responseIdOf, responseNotFound } from "./service";
export { deleteResponse } from "./store";
