// Bar series for Explore and Backtest: time (UTC ms), open, high, low, close, volume.
import { framesToArrow, openSource, readFrames, run } from "./source.ts";

run(async () => {
  const source = await openSource();
  const frames = await readFrames(source, "bars");
  await source.catalog?.close();
  return framesToArrow(frames, ["time", "open", "high", "low", "close", "volume"]);
});
