// The optimizer's Web Worker (../lib/optimize-worker.ts) with the engine and the strategies, as one module.
import { bundle, strategyRegistry } from "../lib/bundle.ts";
import { run } from "./source.ts";

run(async () =>
  bundle(
    `${strategyRegistry()}\nimport { serveOptimize } from "./notebooks/lib/optimize-worker.ts";\nserveOptimize(strategies, self);`,
  ),
);
