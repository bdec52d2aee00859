import "server-only";
import { listModels } from "../../models";
import { consoleProcedure, router } from "../init";

export const modelsRouter = router({
  list: consoleProcedure.query(() => listModels()),
});
