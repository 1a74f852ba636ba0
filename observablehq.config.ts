import { watchLoaderSources } from "./notebooks/lib/watch-loaders.ts";

// `observable preview` (npm start) re-reads this file on every change: start the watcher once. It
// re-runs the loaders that bundle the engine and the strategies when those change (see the module).
const g = globalThis as { __stomLoaderWatch?: () => void };
if (process.argv.includes("preview") && !g.__stomLoaderWatch)
  g.__stomLoaderWatch = watchLoaderSources(process.cwd());

// Framework 1.13 fetches its defaults (a web font, DuckDB extensions) from a CDN; everything
// here keeps the build and the published site inside their own origin.
export default {
  root: "notebooks",
  // the e2e suite builds one site per catalog variant, each into its own folder
  output: process.env.STOM_SITE_OUT ?? "dist",
  title: "stom",
  globalStylesheets: [],
  style: "style.css",
  duckdb: { extensions: { json: null, parquet: null } },
  pages: [
    { name: "Explore", path: "/explore" },
    { name: "Backtest", path: "/backtest" },
    { name: "STOM", path: "/stom" },
    { name: "Optimize", path: "/optimize" },
    { name: "Report", path: "/report" },
    { name: "Live", path: "/live" },
  ],
  footer: "stom research notebooks. Sample data is synthetic unless the catalog says otherwise.",
  search: false,
  pager: false,
};
