// `import { Catalog, readInputs } from "stom/data"`: the Node-side data layer (file formats, the
// Parquet catalog over DuckDB, catalog selectors, resampling, the synthetic sample, STOM's tables).
export * from "../data/catalog/index.ts";
export * from "../data/formats/index.ts";
export * from "../data/frame.ts";
export * from "../data/resample.ts";
export * from "../data/sample.ts";
export * from "../data/selector.ts";
export * from "../data/series-id.ts";
export * as stom from "../data/stom/index.ts";
// the timeframe grammar is the engine's (also exported by "stom"); here too for data users
export { isMonthly, parseTimeframe, timeframeMs, timeframeOf } from "../engine/timeframe.ts";
