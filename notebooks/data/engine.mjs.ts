// The library ("stom") and every bundled strategy as one browser ES module (see ../lib/bundle.ts), with the
// STOM text compiler, the tick portfolio runner, cost presets and the optimizer as namespaces, and the
// series id (src/data/series-id.ts, pure).
import { bundle, strategyRegistry } from "../lib/bundle.ts";
import { run } from "./source.ts";

run(async () =>
  bundle(
    [
      // what `import ... from "stom"` gives (src/lib/index.ts: the engine, its indicators, markets
      // and portfolio), so a user's strategy file imports this very module (components/user-strategy.js)
      `export * from "./src/lib/index.ts";`,
      `export * as indicators from "./src/engine/indicators/index.ts";`,
      `export * as stom from "./src/engine/stom/index.ts";`,
      `export * as optimizer from "./src/engine/optimize/index.ts";`,
      // pure: the series id as the CLI and the catalog spell it, for the pages' pickers
      `export { seriesId, parseSeriesId } from "./src/data/series-id.ts";`,
      `export { webWorkerRunner } from "./notebooks/lib/web-worker-runner.ts";`,
      strategyRegistry(),
    ].join("\n"),
  ),
);
