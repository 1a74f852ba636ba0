// STOM's optimization objectives (기준값) and their bounds (최적화기준값제한), V1.10
// (Py-CI-Park/STOM@63aa7ef, backtester/back_static.py GetOptiStdText :476-575, GetOptiValidStd
// :454-473, SendTextAndStd :365-420). The numbers are computed in the order and with the rounding
// STOM's runtime uses: results of the @jit GetBackResult are Python floats/ints, mdd is a
// np.float64 (numpy rounding) except in AddMdd's fallback branch, mdd_ a Python int.

import { npRound, pyRound, pyTrueDiv } from "../pymath.ts";
import type { StomResultBlock } from "./result.ts";

/** STOM's 14 기준값 names (the 최적화 기준 combo box). */
export const STOM_OBJECTIVES = [
  "TG",
  "TP",
  "TPI",
  "CAGR",
  "GM",
  "PM",
  "G2M",
  "P2M",
  "GAM",
  "PAM",
  "GWM",
  "PWM",
  "GTM",
  "PTM",
] as const;
export type StomObjective = (typeof STOM_OBJECTIVES)[number];

/** What a result outside the bounds scores (std_false_point, back_static.py:482). */
export const STOM_DISQUALIFIED = -2_222_222_222;
/**
 * What a run without a single trade scores (SendTextAndStd's else branch, back_static.py:411-413;
 * the optimizer sends runs without results there, optimiz.py:142-160). It is above
 * STOM_DISQUALIFIED: in STOM a run that trades nothing beats one that breaks a bound.
 */
export const STOM_NO_TRADES = -2_000_000_000;

/** An inclusive [low, high] pair. */
export type StomBound = readonly [number, number];

/** 최적화기준값제한: STOM applies each as low <= value <= high (back_static.py:479-480). */
export interface StomBounds {
  /** 최대낙폭률 % */
  readonly mdd: StomBound;
  /** 적정최대보유종목수 (MH) */
  readonly mhct: StomBound;
  /** 승률 % (WR) */
  readonly wr: StomBound;
  /** 평균수익률 % (AP) */
  readonly app: StomBound;
  /** 일평균거래횟수 (ATC) */
  readonly atc: StomBound;
  readonly cagr: StomBound;
  readonly tpi: StomBound;
}

const BOUND_ORDER = ["mdd", "mhct", "wr", "app", "atc", "cagr", "tpi"] as const;

/** No bound at all. */
export const STOM_NO_BOUNDS: StomBounds = stomBoundsFromStdText(
  Array(14)
    .fill(0)
    .map((_, i) => (i % 2 ? "inf" : "-inf"))
    .join(";"),
);

/** The bounds STOM ships (utility/database_check.py:92, table back, 최적화기준값제한). */
export const STOM_DEFAULT_BOUNDS: StomBounds = stomBoundsFromStdText(
  "0.0;1000.0;0;100.0;0.0;100.0;-10.0;10.0;0.0;100.0;-10000.0;10000.0;0.0;10.0",
);

/**
 * STOM's stored form: 14 numbers joined by ';' in the order mdd_low, mdd_high, mhct_low,
 * mhct_high, wr_low, wr_high, ap_low, ap_high, atc_low, atc_high, cagr_low, cagr_high, tpi_low,
 * tpi_high (optimiz.py:408-409, back_static.py:477).
 */
export function stomBoundsFromStdText(text: string): StomBounds {
  const parts = text.split(";");
  if (parts.length !== 14) throw new Error(`invalid bound list: ${text} (expected 14 numbers joined by ';')`);
  // float() of each item (optimiz.py:409), which also reads inf and -inf
  const nums = parts.map((p) => {
    const t = p.trim().toLowerCase();
    const v = t === "inf" ? Infinity : t === "-inf" ? -Infinity : Number(t);
    if (t === "" || Number.isNaN(v)) throw new Error(`invalid bound value: ${p}`);
    return v;
  });
  const out: Record<string, StomBound> = {};
  BOUND_ORDER.forEach((k, i) => {
    out[k] = Object.freeze([nums[2 * i], nums[2 * i + 1]]) as StomBound;
  });
  return Object.freeze(out) as unknown as StomBounds;
}

const BOUND_KEYS: Record<string, keyof StomBounds> = {
  mdd: "mdd",
  mh: "mhct",
  mhct: "mhct",
  wr: "wr",
  ap: "app",
  app: "app",
  atc: "atc",
  cagr: "cagr",
  tpi: "tpi",
};

/**
 * Bounds from a user string: clauses joined by ',' or ';' or spaces, each `KEY<=v`, `KEY>=v`,
 * `v<=KEY` or `lo<=KEY<=hi`, KEY one of MDD MH WR AP ATC CAGR TPI (any case). Unnamed keys keep
 * `base` (no bound by default; STOM_DEFAULT_BOUNDS for STOM's shipped limits).
 *
 *     parseStomBounds("MDD<=10, WR>=50, 1<=ATC<=20")
 */
export function parseStomBounds(
  text: string,
  { base = STOM_NO_BOUNDS }: { base?: StomBounds } = {},
): StomBounds {
  const out: Record<string, [number, number]> = {};
  for (const k of BOUND_ORDER) out[k] = [base[k][0], base[k][1]];
  const clauses = text
    .replace(/\s*(<=|>=|==|<|>|=)\s*/g, "$1")
    .split(/[\s,;]+/)
    .filter((c) => c !== "");
  for (const clause of clauses) {
    const parts = clause.split(/(<=|>=|<|>|==|=)/);
    const ops = parts.filter((_, i) => i % 2 === 1);
    const terms = parts.filter((_, i) => i % 2 === 0);
    const strict = ops.find((o) => o === "<" || o === ">");
    if (strict) throw new Error(`invalid bound: ${clause} (STOM's bounds are inclusive: use ${strict}=)`);
    if (ops.includes("=") || ops.includes("==")) throw new Error(`invalid bound: ${clause} (use <= or >=)`);
    if (ops.length === 0 || ops.length > 2)
      throw new Error(`invalid bound: ${clause} (expected KEY<=value or KEY>=value)`);
    const keyAt = terms.findIndex((t) => /[A-Za-z]/.test(t) && Number.isNaN(Number(t)));
    if (keyAt < 0)
      throw new Error(`invalid bound: ${clause} (no key: expected one of MDD, MH, WR, AP, ATC, CAGR, TPI)`);
    const key = BOUND_KEYS[terms[keyAt].toLowerCase()];
    if (!key)
      throw new Error(`unknown bound key: ${terms[keyAt]} (expected one of MDD, MH, WR, AP, ATC, CAGR, TPI)`);
    if (ops.length === 2 && (keyAt !== 1 || ops[0] !== ops[1])) {
      throw new Error(`invalid bound: ${clause} (expected lo<=KEY<=hi)`);
    }
    const value = (t: string): number => {
      const v = Number(t);
      if (t === "" || Number.isNaN(v))
        throw new Error(`invalid bound value: ${t === "" ? "(empty)" : t} in ${clause}`);
      return v;
    };
    // normalise to KEY op value pairs
    const pairs: ["<=" | ">=", number][] = [];
    if (keyAt === 0) pairs.push([ops[0] as "<=" | ">=", value(terms[1])]);
    else {
      const flip = (o: string): "<=" | ">=" => (o === "<=" ? ">=" : "<=");
      pairs.push([flip(ops[0]), value(terms[0])]);
      if (ops.length === 2) pairs.push([ops[1] as "<=" | ">=", value(terms[2])]);
    }
    for (const [op, v] of pairs) out[key][op === "<=" ? 1 : 0] = v;
    if (out[key][0] > out[key][1])
      throw new Error(`invalid bound: ${clause} (low ${out[key][0]} above high ${out[key][1]})`);
  }
  for (const k of BOUND_ORDER) Object.freeze(out[k]);
  return Object.freeze(out) as unknown as StomBounds;
}

/** STOM's std_true: every bounded value inside its inclusive range (back_static.py:479-480). */
export function stomWithinBounds(block: StomResultBlock, bounds: StomBounds): boolean {
  const inside = (v: number, [lo, hi]: StomBound) => lo <= v && v <= hi;
  return (
    inside(block.mdd, bounds.mdd) &&
    inside(block.mhct, bounds.mhct) &&
    inside(block.wr, bounds.wr) &&
    inside(block.app, bounds.app) &&
    inside(block.atc, bounds.atc) &&
    inside(block.cagr, bounds.cagr) &&
    inside(block.tpi, bounds.tpi)
  );
}

export interface StomObjectiveOptions {
  /** 종목당 배팅금액 (G2M divides by it) */
  readonly betting: number;
  /** 최적화기준값제한; none by default */
  readonly bounds?: StomBounds;
  /**
   * Which of STOM's texts the block is: 'total' (whole period, no validation) and 'train' apply
   * the bounds; 'valid' and 'test' do not (back_static.py:484 vs :515).
   */
  readonly period?: "total" | "train" | "valid" | "test";
}

/**
 * One result block's 기준값 as GetOptiStdText computes it (back_static.py:476-545). `null` is a run
 * without trades: STOM_NO_TRADES. A block with tc 0 (a split without trades) scores 0; outside the
 * bounds (total/train only) STOM_DISQUALIFIED.
 *
 *     stomObjective(block, "PM", { betting: 1_000_000, bounds: parseStomBounds("MDD<=10") })
 *
 * Where STOM divides a Python number by mdd or mdd_ = 0 it raises ZeroDivisionError and the
 * optimizer's collector dies; here the IEEE result (±Infinity, NaN for 0/0) is returned instead.
 */
export function stomObjective(
  block: StomResultBlock | null,
  name: StomObjective,
  { betting, bounds = STOM_NO_BOUNDS, period = "total" }: StomObjectiveOptions,
): number {
  checkName(name);
  if (!(betting > 0)) throw new Error(`invalid betting: ${betting}`);
  if (period !== "total" && period !== "train" && period !== "valid" && period !== "test") {
    throw new Error(`invalid period: ${period} (expected total, train, valid or test)`);
  }
  if (block === null) return STOM_NO_TRADES;
  const { tc, app, wr, tpp, tsg, cagr, tpi, mdd, mdd_ } = block;
  if (!(tc > 0)) return 0;
  if ((period === "total" || period === "train") && !stomWithinBounds(block, bounds))
    return STOM_DISQUALIFIED;
  // AddMdd's except branch (back_static.py:829-831) makes mdd the Python float abs(tpp) and
  // mdd_ abs(tsg); otherwise mdd is a np.float64 and P-forms round the numpy way.
  const pyMdd = mdd === Math.abs(tpp) && mdd_ === Math.abs(tsg);
  const roundP = (x: number) => (pyMdd ? pyRound(x, 2) : npRound(x, 2));
  const roundG = (x: number) => pyRound(x, 2);
  // Python int / int: exact, rounded once
  const ints = Number.isSafeInteger(tsg) && Number.isSafeInteger(mdd_) && mdd_ !== 0;
  switch (name) {
    case "TP":
      return tpp;
    case "TPI":
      return tpi;
    case "PM":
      return roundP(tpp / mdd);
    case "P2M":
      return roundP((tpp * tpp) / mdd / 100);
    case "PAM":
      return roundP((tpp * app) / mdd);
    case "PWM":
      return roundP((tpp * wr) / mdd / 100);
    case "PTM":
      return roundP((tpp * app * wr * tpi * cagr) / mdd / 10000);
    case "TG":
      return tsg;
    case "GM":
      return roundG(ints ? pyTrueDiv(BigInt(tsg), BigInt(mdd_)) : tsg / mdd_);
    case "G2M": {
      // tsg * tsg is an exact Python int; int / int rounds once
      const sq = ints ? pyTrueDiv(BigInt(tsg) * BigInt(tsg), BigInt(mdd_)) : (tsg * tsg) / mdd_;
      return roundG(sq / betting);
    }
    case "GAM":
      return roundG((tsg * app) / mdd_);
    case "GWM":
      return roundG((tsg * wr) / mdd_ / 100);
    case "GTM":
      return roundG((tsg * app * wr * tpi * cagr) / mdd_ / 10000);
    case "CAGR":
      return cagr;
  }
}

export interface StomValidOptions {
  readonly betting: number;
  /** 교차검증가중치 (STOM ships it on): weight split i by (count - i) * 2 / count */
  readonly exponential?: boolean;
}

/**
 * The train/validation 기준값 (GetOptiValidStd, back_static.py:454-473): for each split i the
 * product train_i × valid_i (× the weight (count - i) * 2 / count when exponential and there is
 * more than one split; split 0 is the most recent validation window), subtracted instead of added
 * when both are negative, then averaged over the splits (and divided by the betting for TG),
 * rounded to 2 decimals. The inputs are stomObjective values: train with period 'train'
 * (bounded), valid with period 'valid' (not bounded).
 *
 * Rounding: TG/TP/TPI/CAGR and the G-forms are Python floats (CPython round); the P-forms are
 * np.float64 in STOM unless every input came from AddMdd's fallback or is a constant, which
 * this function cannot see: it rounds them the numpy way.
 */
export function stomValidObjective(
  train: readonly number[],
  valid: readonly number[],
  name: StomObjective,
  { betting, exponential = true }: StomValidOptions,
): number {
  checkName(name);
  if (!(betting > 0)) throw new Error(`invalid betting: ${betting}`);
  const count = train.length;
  if (count === 0) throw new Error("invalid splits: no train/validation pair");
  if (valid.length !== count)
    throw new Error(`invalid splits: ${count} train values but ${valid.length} valid values`);
  const weighted = exponential && count > 1;
  const ints = [...train, ...valid].every(Number.isSafeInteger);
  if (!weighted && ints) {
    // all Python ints (TG, the constants): exact sums, one rounding at the true division
    let std = 0n;
    for (let i = 0; i < count; i++) {
      const p = BigInt(train[i]) * BigInt(valid[i]);
      std = train[i] < 0 && valid[i] < 0 ? std - p : std + p;
    }
    const mean = pyTrueDiv(std, BigInt(count));
    return pyRound(name === "TG" ? mean / betting : mean, 2);
  }
  let std = 0;
  for (let i = 0; i < count; i++) {
    const ex = ((count - i) * 2) / count;
    const p = weighted ? train[i] * valid[i] * ex : train[i] * valid[i];
    std = train[i] < 0 && valid[i] < 0 ? std - p : std + p;
  }
  const mean = name === "TG" ? std / count / betting : std / count;
  return name.startsWith("P") ? npRound(mean, 2) : pyRound(mean, 2);
}

function checkName(name: string): asserts name is StomObjective {
  if (!(STOM_OBJECTIVES as readonly string[]).includes(name)) {
    const hint = STOM_OBJECTIVES.find((o) => o === name.toUpperCase());
    throw new Error(
      `unknown objective: ${name} (${hint ? `did you mean ${hint}?` : `expected one of ${STOM_OBJECTIVES.join(", ")}`})`,
    );
  }
}
