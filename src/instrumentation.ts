/** Runs once when the server starts (Node.js runtime only). */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  await import("./server/startup");
  // Claude Code's ready spares start now, so the first request finds one.
  const { startClaudePool } = await import("./server/providers/claude-code/boot");
  startClaudePool();
  // Retention (RETENTION_DAYS, STORE_CONTENT_DAYS): a periodic pass in the background.
  const { startRetention } = await import("./server/retention");
  startRetention();
  // Background responses: cancels asked on other instances, leases, runs a stopped instance left.
  const { ensureWatch } = await import("./server/responses/background/watch");
  ensureWatch();
}
