// `import { Catalog, readInputs } from "stom/data"`: the Node-side data layer (file formats, the
// Parquet catalog over DuckDB, catalog selectors, resampling, the synthetic sample, STOM's tables).
export * from "../data/catalog/index.ts";
// formats/time.ts has its own timeframeMs with the same grammar; the catalog's is the one exported
export { timeframeMs } from "../data/catalog/index.ts";
export * from "../data/formats/index.ts";
export * from "../data/frame.ts";
export * from "../data/resample.ts";
export * from "../data/sample.ts";
export * from "../data/selector.ts";
export * as stom from "../data/stom/index.ts";
