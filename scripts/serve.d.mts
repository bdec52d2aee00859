import type http from "node:http";
export const CLIENT_ADDRESS_HEADER: string;
export const STOP_GRACE_MS: number;
export function serve(opts: { port: number; host: string }): Promise<{
  server: http.Server;
  stop(signal: "SIGTERM" | "SIGINT"): Promise<void>;
}>;
