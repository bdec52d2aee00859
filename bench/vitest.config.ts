import { benchConfig } from "./vitest.base";

// The benchmarks run by bench/run.mjs, bench/claude.mjs and bench/pg.mjs (each names its file).
export default benchConfig(["bench/**/*.perf.ts"]);
