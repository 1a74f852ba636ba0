export * from "./pool.ts";
export * from "./queue-cancel.ts";
export * from "./queue-job.ts";
export * from "./queue-runner.ts";
export * from "./queue-worker.ts";
export * from "./redis-url.ts";
export * from "./result-codec.ts";
export * from "./shared-bars.ts";
