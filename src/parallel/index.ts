export * from "./pool.ts";
export * from "./shared-bars.ts";
