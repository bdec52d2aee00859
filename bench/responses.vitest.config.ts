import { benchConfig } from "./vitest.base";

// `npx vitest run --config bench/responses.vitest.config.ts`: the endpoints' own overhead, against
// the built app.
export default benchConfig(["bench/responses.perf.ts"], { globalSetup: ["tests/helpers/global-setup.ts"] });
