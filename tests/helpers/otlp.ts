/**
 * A real OTLP/HTTP trace receiver for tests: takes `POST /v1/traces` in http/json (decoded into spans)
 * and http/protobuf (kept as bytes: the span names and attribute keys are in them as UTF-8), or never
 * answers (`hang`: a collector that is down in the slow way).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Record<string, unknown>;
  status: { code?: number };
  resource: Record<string, unknown>;
}

export interface OtlpReceiver {
  url: string;
  spans: OtlpSpan[];
  /** Bodies and content types of every export received. */
  posts: { path: string; type: string; body: Buffer; headers: http.IncomingHttpHeaders }[];
  /** Waits until a span matches (or throws after `ms`). */
  waitFor(match: (s: OtlpSpan) => boolean, ms?: number): Promise<OtlpSpan>;
  close(): Promise<void>;
}

type AnyValue = {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
  arrayValue?: { values?: AnyValue[] };
};
const plain = (v: AnyValue): unknown =>
  v.stringValue ??
  (v.intValue !== undefined ? Number(v.intValue) : undefined) ??
  v.boolValue ??
  v.doubleValue ??
  v.arrayValue?.values?.map(plain);
const attrs = (list: { key: string; value: AnyValue }[] = []) =>
  Object.fromEntries(list.map((a) => [a.key, plain(a.value)]));

export async function startOtlpReceiver(opts: { hang?: boolean } = {}): Promise<OtlpReceiver> {
  const spans: OtlpSpan[] = [];
  const posts: OtlpReceiver["posts"] = [];
  const open = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const type = String(req.headers["content-type"] ?? "");
      posts.push({ path: req.url ?? "", type, body, headers: req.headers });
      if (opts.hang) {
        open.add(res);
        return;
      }
      if (type.includes("json")) {
        const parsed = JSON.parse(body.toString("utf8"));
        for (const rs of parsed.resourceSpans ?? []) {
          const resource = attrs(rs.resource?.attributes);
          for (const ss of rs.scopeSpans ?? [])
            for (const s of ss.spans ?? [])
              spans.push({
                ...s,
                parentSpanId: s.parentSpanId ?? "",
                attributes: attrs(s.attributes),
                status: s.status ?? {},
                resource,
              });
        }
      }
      res.writeHead(200, { "content-type": type || "application/json" });
      res.end(type.includes("json") ? "{}" : "");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    posts,
    async waitFor(match, ms = 10_000) {
      const until = Date.now() + ms;
      for (;;) {
        const found = spans.find(match);
        if (found) return found;
        if (Date.now() > until) throw new Error(`no such span among ${spans.map((s) => s.name).join(", ")}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async close() {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
