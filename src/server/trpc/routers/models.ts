import "server-only";
import { env } from "../../env";
import { listModels } from "../../models";
import { claudeProcessStats } from "../../providers/claude-code/pool";
import { ollamaVersion } from "../../providers/ollama/models";
import { consoleProcedure, router } from "../init";

export const modelsRouter = router({
  /**
   * The models of /v1/models, and whether Ollama answered (listModels leaves Ollama's models out when
   * it is down, so the playground says so instead of silently showing fewer models).
   */
  list: consoleProcedure.query(async () => {
    const [models, version] = await Promise.all([listModels(), ollamaVersion()]);
    return { models, ollama: { reachable: version !== null, url: env().OLLAMA_URL } };
  }),
  /** Claude Code's live processes (running, waiting for tool results, idle, spare) and their memory. */
  claudeProcesses: consoleProcedure.query(() => {
    const { pids: _pids, ...stats } = claudeProcessStats();
    return stats;
  }),
});
