// How the CLI prints results: stats tables, a sparkline, STOM's Korean result labels.

const SPARKS = "▁▂▃▄▅▆▇█";

/** A one-line text chart of a series, `width` characters wide (last value of each bucket). */
export function sparkline(values: ArrayLike<number>, width = 60): string {
  const n = values.length;
  const w = Math.min(width, n);
  const picked: number[] = [];
  for (let k = 0; k < w; k++) picked.push(values[Math.min(n - 1, Math.floor(((k + 1) * n) / w) - 1)]);
  const lo = Math.min(...picked);
  const hi = Math.max(...picked);
  return picked
    .map((v) => SPARKS[hi > lo ? Math.round(((v - lo) / (hi - lo)) * (SPARKS.length - 1)) : 0])
    .join("");
}

function formatValue(value: unknown): string {
  if (typeof value !== "number") return String(value);
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return value.toLocaleString("en-US");
  return value.toLocaleString("en-US", { maximumFractionDigits: 4 });
}

export function statsTable(stats: Record<string, unknown>): string {
  const width = Math.max(...Object.keys(stats).map((k) => k.length));
  return Object.entries(stats)
    .map(([k, v]) => `${k.padEnd(width)}  ${formatValue(v)}`)
    .join("\n");
}

/** Pads to a terminal width where Hangul takes two columns. */
export const padWide = (text: string, width: number): string => {
  let w = 0;
  for (const ch of text) w += /[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]/.test(ch) ? 2 : 1;
  return text + " ".repeat(Math.max(1, width - w));
};

export const RESULT_LABELS: Readonly<Record<string, string>> = {
  tc: "거래횟수",
  atc: "일평균거래횟수",
  pc: "익절",
  mc: "손절",
  wr: "승률 %",
  ah: "평균보유기간",
  app: "평균수익률 %",
  tpp: "수익률합계 % (TP)",
  tsg: "수익금합계 (TG)",
  mhct: "최대보유종목수",
  seed: "필요자금",
  cagr: "연간예상수익률 % (CAGR)",
  tpi: "매매성능지수 (TPI)",
  mdd: "최대낙폭률 % (MDD)",
  mdd_: "최대낙폭금액",
};
