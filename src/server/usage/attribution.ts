import "server-only";
import { resolveModel } from "../providers/registry";

/**
 * The provider a model name goes to, or "" when it goes nowhere (no name, an unknown or malformed one).
 * A request refused before it was routed (a schema violation, a bad X-Session-ID) is still recorded
 * under its model's provider, so one model never shows as two rows (`claude-code / claude-code` and
 * `claude-code / –`) in /v1/usage and the console.
 */
export function providerOf(model: string): string {
  if (!model) return "";
  try {
    return resolveModel(model).provider.id;
  } catch {
    return "";
  }
}
