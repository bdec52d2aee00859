import { describe, expect, it } from "vitest";
import { ClientCancelled } from "../chat/cancel";
import { ApiError, toApiError } from "./errors";

/** An instance made by another bundle's copy of a class: same brand, other prototype chain. */
const fromOtherCopy = (key: string, fields: object) =>
  Object.assign(
    Object.create(Object.defineProperty(Object.create(Error.prototype), Symbol.for(key), { value: true })),
    fields,
  );

describe("error classes across bundle copies", () => {
  it("instanceof recognises an ApiError or ClientCancelled made by another copy of the module", () => {
    const other = fromOtherCopy("cc-bridge.ApiError", { status: 503, message: "x" });
    expect(other instanceof ApiError).toBe(true);
    expect(toApiError(other)).toBe(other);
    expect(fromOtherCopy("cc-bridge.ClientCancelled", {}) instanceof ClientCancelled).toBe(true);
    expect(new Error("plain") instanceof ApiError).toBe(false);
    expect(new ApiError(400, "bad") instanceof ApiError).toBe(true);
    expect(new ClientCancelled() instanceof ApiError).toBe(false);
  });
});
