export { gaussian, mulberry32 } from "../../engine/optimize/rng.ts";
export * from "./columns.ts";
export * from "./fixture.ts";
export * from "./snapshot.ts";
export * from "./sources.ts";
export * from "./ticksize.ts";
export * from "./time.ts";
export * from "./versions.ts";
