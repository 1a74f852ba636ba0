import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { sourceLibrary } from "./bin/library.mjs";

process.env.TZ = "UTC";

// "stom" in the bundled strategies is this checkout's sources, as under bin/stom.js: one engine
// (package.json `exports` would give build/, a second copy whose Series the sources' would not know)
const library = Object.entries(sourceLibrary(new URL("./", import.meta.url)));

export default defineConfig({
  resolve: {
    alias: library.map(([spec, url]) => ({
      find: new RegExp(`^${spec.replace("/", "\\/")}$`),
      replacement: fileURLToPath(url),
    })),
  },
  test: {
    include: ["test/**/*.test.ts"],
    // generous: spawned CLIs and the browser tests start slowly on a busy 2-core machine
    testTimeout: 180_000,
    hookTimeout: 60_000,
    env: { TZ: "UTC" },
  },
});
