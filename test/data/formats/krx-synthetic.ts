// A small synthetic whole-market archive, the same bytes in every clone: Creon-style 1-minute CSVs
// for 48 made-up codes in a .tar.gz, with the cases an import meets (an identical duplicate row, a
// gap, a code in two entries on two days, a second month, a README entry), so the parallel import
// can be compared with the single-threaded one without ../shared.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { create } from "tar";

/** The codes and days of the archive, in archive order. */
const ENTRIES: readonly { readonly code: string; readonly day: string; readonly rows: number }[] = [
  ...Array.from({ length: 48 }, (_, i) => ({
    code: String(1000 + i * 37).padStart(6, "0"),
    day: "2019-09-20",
    rows: i % 5 === 0 ? 390 : 60 + ((i * 53) % 330),
  })),
  { code: "001037", day: "2019-09-19", rows: 200 },
  { code: "009999", day: "2019-10-01", rows: 390 },
];

/** Seeded LCG (Numerical Recipes constants): same numbers everywhere. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function csv(code: string, day: string, rows: number, seed: number, bad: boolean): string {
  const rand = lcg(seed);
  const lines = ["date,datetime,open,high,low,close,volume,symbol"];
  let price = 1000 + Math.floor(rand() * 90_000);
  for (let m = 1; m <= rows; m++) {
    // one gap of 3 minutes in every seventh code
    if (seed % 7 === 3 && m >= 100 && m < 103) continue;
    const minute = 9 * 60 + m;
    const hh = String(Math.floor(minute / 60)).padStart(2, "0");
    const mm = String(minute % 60).padStart(2, "0");
    const open = price;
    price = Math.max(1, price + Math.round((rand() - 0.5) * price * 0.01));
    const high = Math.max(open, price) + Math.floor(rand() * 10);
    const low = Math.max(1, Math.min(open, price) - Math.floor(rand() * 10));
    const volume = Math.floor(rand() * 50_000);
    // a malformed close on line 17 of the 31st entry, when asked for
    const close = bad && seed === 30 && m === 16 ? "1O0" : price;
    const line = `${day},${day}T${hh}:${mm}:00+0900,${open},${high},${low},${close},${volume},${code}`;
    lines.push(line);
    // an identical duplicate row in every eleventh code: dropped and reported
    if (seed % 11 === 5 && m === 50) lines.push(line);
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Writes `krx-synthetic.tar.gz` into `dir` and returns its path and data lines. With `bad`, entry 31
 * (`2019-09-20/002110.csv`) has `1O0` for a close on its line 17.
 */
export async function writeSyntheticKrxTarball(
  dir: string,
  { bad = false }: { bad?: boolean } = {},
): Promise<{ file: string; rows: number }> {
  const src = join(dir, "src");
  const names: string[] = [];
  ENTRIES.forEach(({ code, day, rows }, i) => {
    const sub = join(src, day);
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, `${code}.csv`), csv(code, day, rows, i, bad));
    names.push(`${day}/${code}.csv`);
  });
  writeFileSync(join(src, "README.txt"), "synthetic KRX minute bars, made up\n");
  names.splice(10, 0, "README.txt");
  const file = join(dir, bad ? "krx-synthetic-bad.tar.gz" : "krx-synthetic.tar.gz");
  await create({ gzip: true, file, cwd: src, portable: true }, names);
  let rows = 0;
  for (const [i, e] of ENTRIES.entries()) rows += e.rows - (i % 7 === 3 ? 3 : 0) + (i % 11 === 5 ? 1 : 0);
  return { file, rows };
}
