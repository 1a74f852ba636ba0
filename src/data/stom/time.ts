// STOM's time stamps have one home, in the engine (it runs in the page too).
export { KST_OFFSET_MS, msToStomIndex, stomIndexToMs } from "../../engine/stom/time.ts";
