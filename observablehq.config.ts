// Framework 1.13 fetches its defaults (a web font, DuckDB extensions) from a CDN; everything
// here keeps the build and the published site inside their own origin.
export default {
  root: "notebooks",
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
