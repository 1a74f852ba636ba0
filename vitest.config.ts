import { defineConfig } from "vitest/config";

process.env.TZ = "UTC";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // generous: spawned CLIs and the browser tests start slowly on a busy 2-core machine
    testTimeout: 180_000,
    hookTimeout: 60_000,
    env: { TZ: "UTC" },
  },
});
