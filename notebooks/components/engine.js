import { FileAttachment } from "observablehq:stdlib";

// The engine and the strategies arrive as one module written by data/engine.mjs.ts (Framework
// cannot serve the engine's `.ts` imports directly); this keeps one instance for every page.
const url = await FileAttachment("../data/engine.mjs").url();
export const engineUrl = new URL(url, document.baseURI).href;
export const engine = await import(engineUrl);
export const {
  backtest,
  toBars,
  strategies,
  strategySources,
  resolveParams,
  stom,
  portfolio,
  markets,
  optimizer,
  webWorkerRunner,
  seriesId,
  parseSeriesId,
} = engine;
