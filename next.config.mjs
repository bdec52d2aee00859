/** @type {import('next').NextConfig} */
const nextConfig = {
  // SSE must reach the client unbuffered; a local gateway gains nothing from gzip.
  compress: false,
  poweredByHeader: false,
  serverExternalPackages: [
    "better-sqlite3",
    "@prisma/adapter-better-sqlite3",
    "pg",
    "@prisma/adapter-pg",
    "@anthropic-ai/claude-agent-sdk",
    // OpenTelemetry (telemetry/, loaded only when tracing is on): Node's own module loading, not the bundler's.
    "@opentelemetry/sdk-trace",
    "@opentelemetry/resources",
    "@opentelemetry/core",
    "@opentelemetry/exporter-trace-otlp-proto",
    "@opentelemetry/exporter-trace-otlp-http",
  ],
  // `npm test` type-checks the whole project (tsc); the production build need not do it again.
  typescript: { ignoreBuildErrors: true },
};
export default nextConfig;
