import { readFileSync } from "node:fs";
import { SHARED } from "./paths.ts";

/** ../shared/data beside the checkout (tests never copy the fixtures); see ./paths.ts. */
export const DATA_DIR = SHARED;

export interface OhlcvCsv {
  length: number;
  columns: {
    time: Float64Array;
    open: Float64Array;
    high: Float64Array;
    low: Float64Array;
    close: Float64Array;
    volume: Float64Array;
  };
}

/** Parses an ISO-ish date or datetime as UTC ms ("2004-08-19", "2017-04-19 09:00:00"). */
export function parseUtc(text: string): number {
  const iso = text.includes(" ")
    ? `${text.replace(" ", "T")}Z`
    : text.length === 10
      ? `${text}T00:00:00Z`
      : text;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new Error(`bad date: ${text}`);
  return t;
}

/** Reads backtesting.py's fixture CSVs (`,Open,High,Low,Close,Volume` with a date index). */
export function readOhlcvCsv(file: string): OhlcvCsv {
  const lines = readFileSync(file, "utf8").trim().split(/\r?\n/);
  const header = lines[0].split(",").map((h) => h.trim().toLowerCase());
  const idx = (name: string) => header.indexOf(name);
  const n = lines.length - 1;
  const cols = {
    time: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
  for (let k = 0; k < n; k++) {
    const f = lines[k + 1].split(",");
    cols.time[k] = parseUtc(f[0]);
    cols.open[k] = Number(f[idx("open")]);
    cols.high[k] = Number(f[idx("high")]);
    cols.low[k] = Number(f[idx("low")]);
    cols.close[k] = Number(f[idx("close")]);
    cols.volume[k] = idx("volume") >= 0 ? Number(f[idx("volume")]) : Number.NaN;
  }
  return { length: n, columns: cols };
}

/** Reads a plain CSV with a header into rows of strings. */
export function readCsvRows(file: string): { header: string[]; rows: string[][] } {
  const lines = readFileSync(file, "utf8").trim().split(/\r?\n/);
  const split = (line: string) => {
    const out: string[] = [];
    let cur = "";
    let quoted = false;
    for (const ch of line) {
      if (ch === '"') quoted = !quoted;
      else if (ch === "," && !quoted) {
        out.push(cur);
        cur = "";
      } else cur += ch;
    }
    out.push(cur);
    return out;
  };
  return { header: split(lines[0]), rows: lines.slice(1).map(split) };
}
