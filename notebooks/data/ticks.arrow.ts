// Tick series with STOM's 5-level book where the source has it (the sample does).
import { framesToArrow, openSource, readFrames, run } from "./source.ts";

const LEVELS = [1, 2, 3, 4, 5];
const BOOK = ["매도호가", "매수호가", "매도잔량", "매수잔량"].flatMap((p) => LEVELS.map((k) => `${p}${k}`));
const COLUMNS = ["time", "price", "amount", ...BOOK];

run(async () => {
  const source = await openSource();
  const frames = await readFrames(source, "ticks", COLUMNS.slice(1));
  await source.catalog?.close();
  return framesToArrow(frames, COLUMNS);
});
