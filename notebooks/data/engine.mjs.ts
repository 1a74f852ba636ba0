// The engine and every bundled strategy as one browser ES module (see ../lib/bundle.ts).
import { bundle, strategyRegistry } from "../lib/bundle.ts";
import { run } from "./source.ts";

run(async () =>
  bundle(
    `export * from "./src/engine/index.ts";\nexport * as indicators from "./src/engine/indicators/index.ts";\n${strategyRegistry()}`,
  ),
);
