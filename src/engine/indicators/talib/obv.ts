import { checkRange, type TaRange } from "./core.ts";

/** TA_OBV_Lookback (ta_OBV.c): 0. */
export function TA_OBV_Lookback(): number {
  return 0;
}

/**
 * TA_OBV (ta_OBV.c): on-balance volume. It starts from the volume AT startIdx, so with startIdx = endIdx
 * (talib.stream.OBV) the result is simply the last volume.
 */
export function TA_OBV(
  startIdx: number,
  endIdx: number,
  inReal: Float64Array,
  inVolume: Float64Array,
  outReal: Float64Array,
): TaRange {
  checkRange("TA_OBV", startIdx, endIdx);
  let prevOBV = inVolume[startIdx];
  let prevReal = inReal[startIdx];
  let outIdx = 0;
  for (let i = startIdx; i <= endIdx; i++) {
    const tempReal = inReal[i];
    if (tempReal > prevReal) prevOBV += inVolume[i];
    else if (tempReal < prevReal) prevOBV -= inVolume[i];
    outReal[outIdx++] = prevOBV;
    prevReal = tempReal;
  }
  return { begIdx: startIdx, nbElement: outIdx };
}
