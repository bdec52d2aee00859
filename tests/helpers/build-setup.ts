// Once per `vitest run` that includes a test of the built app (project "app" in vitest.config.ts):
// build it when stale. Unit-only runs never get here.
import { ensureBuild, ensurePrismaClient } from "../../scripts/lib.mjs";

export default function setup() {
  ensurePrismaClient();
  // CC_SKIP_BUILD=1 skips it (for a run that starts no gateway anyway).
  if (!process.env.CC_SKIP_BUILD) ensureBuild();
}
