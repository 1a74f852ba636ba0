// The engine and every bundled strategy as one browser ES module (see ../lib/bundle.ts), with the
// STOM text compiler, the tick portfolio runner, cost presets and the optimizer as namespaces.
import { bundle, strategyRegistry } from "../lib/bundle.ts";
import { run } from "./source.ts";

run(async () =>
  bundle(
    [
      `export * from "./src/engine/index.ts";`,
      `export * as indicators from "./src/engine/indicators/index.ts";`,
      `export * as stom from "./src/engine/stom/index.ts";`,
      `export * as portfolio from "./src/engine/portfolio/index.ts";`,
      `export * as markets from "./src/engine/markets/index.ts";`,
      `export * as optimizer from "./src/engine/optimize/index.ts";`,
      `export { webWorkerRunner } from "./notebooks/lib/web-worker-runner.ts";`,
      strategyRegistry(),
    ].join("\n"),
  ),
);
