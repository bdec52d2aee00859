import { describe, expect, it } from "vitest";
import { EMPTY_FILTER, type RequestFilter } from "./filters";
import { filterFromQuery, filterQuery, PendingFilter } from "./pending-filter";

const filter = (patch: Partial<RequestFilter>): RequestFilter => ({ ...EMPTY_FILTER, ...patch });
const parse = (qs: string): RequestFilter => filterFromQuery(new URLSearchParams(qs));

describe("PendingFilter", () => {
  it("a URL of its own that lands late does not undo the changes made after it", () => {
    const start = "provider=ollama&status=cancelled";
    const p = new PendingFilter(start, parse(start));
    const one = p.change({ provider: "" });
    expect(one.query).toBe("status=cancelled");
    const two = p.change({ status: "" });
    expect(two.query).toBe("");
    // The first change's URL lands now, between the second and the third change.
    p.observe(one.query, parse(one.query));
    const three = p.change({ range: "1h" });
    expect(three.filter).toEqual(filter({ range: "1h" }));
    expect(three.query).toBe("range=1h");
    p.observe(two.query, parse(two.query));
    p.observe(three.query, parse(three.query));
    expect(p.change({}).filter).toEqual(filter({ range: "1h" }));
  });

  it("a URL it did not send (back, a link) wins over the changes still on their way", () => {
    const p = new PendingFilter("", filter({}));
    p.change({ model: "sonnet" });
    p.observe("status=error", parse("status=error"));
    expect(p.change({ range: "24h" }).filter).toEqual(filter({ status: "error", range: "24h" }));
  });

  it("writes only what differs from the empty filter", () => {
    expect(filterQuery(filter({}))).toBe("");
    expect(filterQuery(filter({ sessionId: "s 1", keyId: "k", host: "h", range: "all" }))).toBe(
      "session=s+1&key=k&host=h",
    );
  });
});
