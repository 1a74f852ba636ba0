export { type BookColumns, type BookFill, type WalkOptions, walkAsks, walkBids, walkBook } from "./book.ts";
export {
  COST_PRESETS,
  type CostModel,
  type CostPresetName,
  type CostPresetOptions,
  costPreset,
  flatCosts,
  type KrxCostOptions,
  krxCosts,
  krxSellTaxRate,
  presetCommission,
  type Settlement,
  type Side,
  STOM_KRX_TAX,
  stomKiwoomSettle,
  stomUpbitSettle,
} from "./costs.ts";
export { KST_OFFSET_MS, kstMidnight } from "./kst.ts";
export {
  KRX_TICK_CHANGE,
  type KrxBoard,
  krxTickSize,
  type RoundMode,
  roundToTick,
  UPBIT_SIXTEEN,
  UPBIT_TICK_CHANGES,
  upbitKrwTickSize,
} from "./tick-size.ts";
