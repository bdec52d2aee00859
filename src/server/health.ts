import "server-only";
import { adminGrant } from "./access/agent";
import { db, dialect } from "./db";
import { env } from "./env";
import { claudeVersion, findClaude } from "./providers/claude-code/binary";
import { claudeProcessStats } from "./providers/claude-code/pool";
import { sandboxStatus } from "./providers/claude-code/sandbox-check";
import { effectiveLevel } from "./providers/claude-code/workspace";
import { hostsHealth } from "./providers/ollama/health";
import { localCounts } from "./responses/background/local";
import { retentionStatus } from "./retention";
import { failedRecordWrites, probeWrite } from "./usage/store";
import { APP_VERSION } from "./version";

async function databaseOk(): Promise<{ ok: boolean; error?: string; failed_writes?: number }> {
  try {
    const prisma = await db();
    await prisma.$queryRawUnsafe(`SELECT COUNT(*) FROM "Request" WHERE 1 = 0`);
    // A read is not enough: a read-only, full, immutable or deleted file still reads.
    const writeError = probeWrite();
    if (writeError)
      return { ok: false, error: `database not writable: ${writeError}`, failed_writes: failedRecordWrites() };
    return { ok: true };
  } catch (e) {
    return {
      ok: false,
      error: String((e as Error)?.message ?? e)
        .split("\n")[0]
        ?.slice(0, 200),
    };
  }
}

/**
 * The gateway's health: 503 only when the database is unusable (the backends may come and go).
 * No secrets: OLLAMA_URL without user:password, the auth key only as "required"/"off". Shown in full
 * to the admin only (access/health.ts cuts it down for everyone else).
 */
export async function health() {
  const bin = findClaude();
  const [database, claudeVer, ollama, retention] = await Promise.all([
    databaseOk(),
    bin ? claudeVersion(bin) : Promise.resolve(null),
    hostsHealth(),
    retentionStatus().catch(() => null),
  ]);
  const body = {
    status: database.ok ? "ok" : "error",
    version: APP_VERSION,
    // the process's uptime, not the time since this module was first loaded (the first /health call)
    uptime_s: Math.floor(process.uptime()),
    database: { ...database, kind: dialect() },
    retention,
    claude: {
      found: bin !== null && claudeVer !== null,
      path: bin?.path ?? null,
      source: bin?.source ?? null,
      version: claudeVer,
      processes: claudeProcessStats(),
      // Claude Code's command sandbox (bubblewrap, socat) and what tasks may do (access/agent.ts).
      sandbox: sandboxStatus(),
      levels: {
        admin: effectiveLevel(adminGrant().level),
        key_default: effectiveLevel(null),
        unrestricted_allowed: env().CLAUDE_SKIP_PERMS,
      },
    },
    ollama,
    // Background responses run by this instance now, and the bounds on all (BACKGROUND_*).
    background: {
      ...localCounts(),
      max: env().BACKGROUND_MAX,
      max_per_key: env().BACKGROUND_MAX_PER_KEY,
      lease_ms: env().BACKGROUND_LEASE_MS,
    },
    auth: env().CLAUDE_AUTH_KEY ? "required" : "off",
  };
  return { status: database.ok ? 200 : 503, body };
}
