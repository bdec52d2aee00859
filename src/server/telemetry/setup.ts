import "server-only";
// OpenTelemetry tracing (issue 25): off unless OTEL_EXPORTER_OTLP_ENDPOINT (or _TRACES_ENDPOINT) is set.
// The SDK's own TracerProvider, BatchSpanProcessor and OTLP exporter (http/protobuf or http/json); the
// exporter reads the endpoint, headers and timeout from the standard OTEL_* variables itself. Nothing is
// registered globally (Next.js has tracing hooks of its own): spans are made by spans.ts from a request's
// record and steps, after the request, with this tracer. A collector that is down or slow costs no
// request anything: spans wait in a bounded queue (OTEL_BSP_MAX_QUEUE_SIZE) and past it are dropped, and
// spans an export failed to deliver are dropped too; both counted (ccbridge_trace_spans_dropped_total).
import type { Context, Tracer } from "@opentelemetry/api";
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from "@opentelemetry/sdk-trace";
import { env } from "../env";
import { log } from "../log";
import { noteDroppedSpans } from "../metrics/sources";
import { APP_VERSION as version } from "../version";

export interface Tracing {
  tracer: Tracer;
  /** Prompt and answer text on spans (OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT). */
  content: boolean;
}

/**
 * Spans past the queue's bound are dropped here (the batch processor would drop them too, uncounted);
 * spans an export failed to deliver are counted as dropped.
 */
class BoundedProcessor implements SpanProcessor {
  private queued = 0;
  constructor(
    private readonly inner: SpanProcessor,
    private readonly max: number,
  ) {}
  /** The exporter reports each batch: they leave the queue, delivered or not. */
  settled(count: number, delivered: boolean): void {
    this.queued = Math.max(0, this.queued - count);
    if (!delivered) noteDroppedSpans(count);
  }
  onStart(span: Span, parent: Context): void {
    this.inner.onStart(span, parent);
  }
  onEnd(span: ReadableSpan): void {
    if (this.queued >= this.max) {
      noteDroppedSpans(1);
      return;
    }
    this.queued++;
    this.inner.onEnd(span);
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

async function start(): Promise<Tracing | null> {
  const e = env();
  const endpoint = e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? e.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint || e.OTEL_SDK_DISABLED) return null;
  const protocol = e.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? e.OTEL_EXPORTER_OTLP_PROTOCOL ?? "http/protobuf";
  const [{ BatchSpanProcessor, TracerProvider }, { detectResources, envDetector, resourceFromAttributes }, otlp] =
    await Promise.all([
      import("@opentelemetry/sdk-trace"),
      import("@opentelemetry/resources"),
      protocol === "http/json"
        ? import("@opentelemetry/exporter-trace-otlp-http")
        : import("@opentelemetry/exporter-trace-otlp-proto"),
    ]);
  const exporter: SpanExporter = new otlp.OTLPTraceExporter();
  const maxQueueSize = e.OTEL_BSP_MAX_QUEUE_SIZE;
  let bounded: BoundedProcessor | null = null;
  const counting: SpanExporter = {
    export(spans, done) {
      exporter.export(spans, (result) => {
        bounded?.settled(spans.length, result.code === 0);
        done(result);
      });
    },
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
  };
  const batch = new BatchSpanProcessor({
    exporter: counting,
    maxQueueSize,
    scheduledDelayMillis: e.OTEL_BSP_SCHEDULE_DELAY,
    maxExportBatchSize: Math.min(512, maxQueueSize),
  });
  bounded = new BoundedProcessor(batch, maxQueueSize);
  // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (the env detector) win over these.
  const resource = resourceFromAttributes({ "service.name": "cc-bridge", "service.version": version }).merge(
    detectResources({ detectors: [envDetector] }),
  );
  const provider = new TracerProvider({ resource, spanProcessors: [bounded] });
  // A gateway told to stop sends what is queued before it ends (scripts/serve.mjs runs these hooks, 2 s at most).
  const stops = globalThis as { __ccBridgeStopHooks?: (() => Promise<void>)[] };
  stops.__ccBridgeStopHooks ??= [];
  stops.__ccBridgeStopHooks.push(() => provider.forceFlush().catch(() => {}));
  log({ level: "info", msg: "tracing on", protocol, maxQueueSize });
  return {
    tracer: provider.getTracer("cc-bridge", version),
    content: e.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT,
  };
}

const g = globalThis as unknown as { __ccBridgeTracing?: Promise<Tracing | null> };

/** The process's tracing, or null when it is off (set up on first use). */
export function tracing(): Promise<Tracing | null> {
  g.__ccBridgeTracing ??= start().catch((err) => {
    log({ level: "error", msg: `tracing off: ${String(err?.message ?? err).split("\n")[0]}` }, "stderr");
    return null;
  });
  return g.__ccBridgeTracing;
}

/** Whether tracing is configured (no set-up: cheap enough for every request). */
export const tracingConfigured = (): boolean => {
  const e = env();
  return !e.OTEL_SDK_DISABLED && Boolean(e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? e.OTEL_EXPORTER_OTLP_ENDPOINT);
};
