// `npm start` (observable preview) reuses a loader's cached output until the loader file itself is
// newer than the cache, and it watches only that file. The bundles import the engine and every
// strategy, so an edited or new strategy would keep serving the old code. This watcher, started by
// observablehq.config.ts in preview only, touches the loaders that read a changed source: Framework
// then sees a stale cache, reloads the open page and re-runs the loader.
import { existsSync, type FSWatcher, utimesSync, watch } from "node:fs";
import path from "node:path";

/** Sources (relative to the repository root) and the loaders (under notebooks/data) that read them. */
export const LOADER_SOURCES: readonly {
  readonly sources: readonly string[];
  readonly loaders: readonly string[];
}[] = [
  {
    sources: ["notebooks/strategies", "notebooks/lib", "src/engine"],
    loaders: ["engine.mjs.ts", "optimize-worker.mjs.ts", "report.json.ts"],
  },
  { sources: ["src/cli"], loaders: ["cli-defaults.json.ts", "report.json.ts"] },
  {
    sources: [process.env.STOM_CATALOG ?? "catalog"],
    loaders: ["bars.arrow.ts", "ticks.arrow.ts", "catalog.json.ts"],
  },
];

/**
 * Watches every source folder (recursively, Node ≥ 20 on Linux) and touches its loaders, debounced,
 * after a change. Returns a function that stops watching.
 *
 *   const stop = watchLoaderSources("/work/main");
 */
export function watchLoaderSources(root: string, { delayMs = 200, log = console.log } = {}): () => void {
  const watchers: FSWatcher[] = [];
  const pending = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    timer = undefined;
    const now = new Date();
    for (const loader of pending) {
      const file = path.join(root, "notebooks/data", loader);
      if (existsSync(file)) utimesSync(file, now, now);
    }
    log(`stom: sources changed, re-running ${[...pending].join(", ")}`);
    pending.clear();
  };
  for (const { sources, loaders } of LOADER_SOURCES) {
    for (const source of sources) {
      const dir = path.resolve(root, source);
      if (!existsSync(dir)) continue;
      const watcher = watch(dir, { recursive: true }, (_event, name) => {
        // editors' swap and backup files are not sources
        if (name && /(^|[/\\])\.|~$|\.swp$/.test(String(name))) return;
        for (const l of loaders) pending.add(l);
        clearTimeout(timer);
        timer = setTimeout(flush, delayMs);
      });
      watcher.unref();
      watchers.push(watcher);
    }
  }
  return () => {
    clearTimeout(timer);
    for (const w of watchers) w.close();
  };
}
