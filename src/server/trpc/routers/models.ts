import "server-only";
import { env } from "../../env";
import { listModels } from "../../models";
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
});
