// Inputs the tests make for themselves (no shared data): temp folders cleaned after the file, and
// seeded sample bars written as a CSV `stom backtest --data` reads.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { barsToCsv } from "../../src/data/formats/ohlcv-csv.ts";
import { makeSampleBars, type SampleBarsOptions } from "../../src/data/sample.ts";

/** A fresh temp folder, removed when the test file ends. */
export function tempDir(prefix = "stom-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Seeded synthetic bars (src/data/sample.ts) as `<dir>/<symbol>.csv`; returns the path. */
export function sampleBarsCsv(dir: string, options: SampleBarsOptions = {}): string {
  const frame = makeSampleBars(options);
  const file = join(dir, `${frame.symbol}.csv`);
  writeFileSync(file, barsToCsv(frame));
  return file;
}
