export { Catalog } from "./catalog.ts";
export { gapBetween, timeframeMs } from "./gaps.ts";
export { slug } from "./slug.ts";
export * from "./types.ts";
