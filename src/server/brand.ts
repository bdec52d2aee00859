/**
 * Next.js may load a module in more than one bundle (the Claude process pool is created by the
 * instrumentation bundle, requests run in the route bundles), so a class can exist twice. Branding
 * makes `instanceof` check a brand instead of the prototype chain: an instance from either copy counts.
 */
export function brand(cls: abstract new (...args: never[]) => unknown, key: string): void {
  const sym = Symbol.for(`cc-bridge.${key}`);
  Object.defineProperty(cls.prototype, sym, { value: true });
  Object.defineProperty(cls, Symbol.hasInstance, {
    value: (x: unknown) => typeof x === "object" && x !== null && (x as Record<symbol, unknown>)[sym] === true,
  });
}
