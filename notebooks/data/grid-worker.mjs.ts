// The grid worker (../lib/grid-worker.ts) with the engine and the strategies, as one module.
import { bundle, strategyRegistry } from "../lib/bundle.ts";
import { run } from "./source.ts";

run(async () =>
  bundle(
    `${strategyRegistry()}\nimport { serveGrid } from "./notebooks/lib/grid-worker.ts";\nserveGrid(strategies, self);`,
  ),
);
