export * from "./fingerprint.ts";
export * from "./load-bars.ts";
export * from "./report.ts";
export * from "./stom-data.ts";
export * from "./stom-report.ts";
export * from "./strategy-loader.ts";
