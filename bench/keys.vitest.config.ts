import { benchConfig } from "./vitest.base";

// `npx vitest run --config bench/keys.vitest.config.ts`: the cost of API keys per request.
export default benchConfig(["bench/keys.perf.ts"], { globalSetup: ["tests/helpers/global-setup.ts"] });
