export * from "./client.ts";
export * from "./config.ts";
export * from "./crypto.ts";
export * from "./messages.ts";
export * from "./realtime.ts";
export * from "./venue.ts";
