import "server-only";
import { z } from "zod";
import { env } from "../../env";
import { listModels } from "../../models";
import { claudeProcessStats } from "../../providers/claude-code/pool";
import { hostsHealth } from "../../providers/ollama/health";
import { ollamaVersion } from "../../providers/ollama/models";
import { redactUrls } from "../../providers/ollama/url";
import { rangeOf } from "../../usage/analytics";
import { requestsByHost } from "../../usage/hosts";
import { consoleProcedure, router } from "../init";
import { rangeKey } from "./usage";

export const modelsRouter = router({
  /**
   * The models of /v1/models, and whether Ollama answered (listModels leaves Ollama's models out when
   * it is down, so the playground says so instead of silently showing fewer models).
   */
  list: consoleProcedure.query(async () => {
    const [models, version] = await Promise.all([listModels(), ollamaVersion()]);
    return { models, ollama: { reachable: version !== null, url: redactUrls(env().OLLAMA_URL) } };
  }),
  /** Claude Code's live processes (running, waiting for tool results, idle, spare) and their memory. */
  claudeProcesses: consoleProcedure.query(() => {
    const { pids: _pids, ...stats } = claudeProcessStats();
    return stats;
  }),
  /** The Ollama hosts now (up or down, in flight, models) with their requests and errors in the range. */
  ollamaHosts: consoleProcedure.input(z.object({ range: rangeKey })).query(async ({ input }) => {
    const [live, counts] = await Promise.all([hostsHealth(), requestsByHost(rangeOf(input.range))]);
    return live.hosts.map((h) => ({
      name: h.name,
      url: h.url,
      state: h.state,
      version: h.version,
      models: h.models.length,
      loaded: h.loaded,
      inFlight: h.in_flight,
      lastError: h.last_error,
      downSince: h.down_since,
      requests: counts.get(h.name)?.requests ?? 0,
      errors: counts.get(h.name)?.errors ?? 0,
    }));
  }),
});
