import { suggest } from "../params.ts";
import { BACKTESTING_PY_LABELS } from "../stat-labels.ts";
import type { Stats } from "../stats.ts";
import { parseExpr } from "./expr.ts";

/** The stat keys an objective or bound may name. */
export const STAT_KEYS: readonly (keyof Stats)[] = [
  "durationDays",
  "exposurePct",
  "equityFinal",
  "equityPeak",
  "returnPct",
  "buyHoldReturnPct",
  "returnAnnPct",
  "volatilityAnnPct",
  "cagrPct",
  "sharpe",
  "sortino",
  "calmar",
  "alphaPct",
  "beta",
  "maxDrawdownPct",
  "avgDrawdownPct",
  "maxDrawdownDays",
  "avgDrawdownDays",
  "trades",
  "winRatePct",
  "bestTradePct",
  "worstTradePct",
  "avgTradePct",
  "maxTradeDays",
  "avgTradeDays",
  "profitFactor",
  "expectancyPct",
  "sqn",
  "kelly",
  "totalPnl",
  "requiredCapital",
  "tpi",
  "linearAnnReturnPct",
];

/**
 * backtesting.py's stat names and STOM's codes that are one stat: TG = 수익금합계 (total P&L),
 * TPI = 매매성능지수, CAGR = STOM's 연간예상수익률, which is linear (the compounded one is cagrPct),
 * MDD = 최대낙폭 (maximizing the negative percent minimizes the drawdown), WR = 승률, PF = profit
 * factor, TC = 거래횟수. STOM's ratio codes are in STOM_CODES.
 */
export const OBJECTIVE_ALIASES: Readonly<Record<string, keyof Stats>> = {
  TG: "totalPnl",
  TPI: "tpi",
  CAGR: "linearAnnReturnPct",
  LAR: "linearAnnReturnPct",
  MDD: "maxDrawdownPct",
  WR: "winRatePct",
  PF: "profitFactor",
  TC: "trades",
  SQN: "sqn",
  ...Object.fromEntries(
    [
      "Equity Final [$]",
      "Return [%]",
      "Sharpe Ratio",
      "Sortino Ratio",
      "Calmar Ratio",
      "Win Rate [%]",
      "# Trades",
    ].map((label) => [label, BACKTESTING_PY_LABELS[label]]),
  ),
};

export type StatsFn = (stats: Stats) => number;

/** STOM's 수익률합계: 수익금합계 over 필요자금, in percent (back_static.GetBackResult tpp). */
const tp = (s: Stats) => (s.totalPnl / s.requiredCapital) * 100;
const mdd = (s: Stats) => Math.abs(s.maxDrawdownPct);

/**
 * STOM's 기준값 that combine stats (back_static.GetOptiStdText), over a bar strategy's stats: TP
 * = 수익률합계, PM = TP / MDD, P2M = TP² / MDD / 100, PAM = TP × 평균수익률 / MDD, PWM = TP × 승률 / MDD / 100,
 * PTM = TP × 평균수익률 × 승률 × TPI × CAGR / MDD / 10000. The G-forms divide by the drawdown in
 * cash, which STOM texts report (`stom optimize --stom-buy`); stats do not.
 */
export const STOM_CODES: Readonly<Record<string, StatsFn>> = {
  TP: tp,
  PM: (s) => tp(s) / mdd(s),
  P2M: (s) => (tp(s) * tp(s)) / mdd(s) / 100,
  PAM: (s) => (tp(s) * s.avgTradePct) / mdd(s),
  PWM: (s) => (tp(s) * s.winRatePct) / mdd(s) / 100,
  PTM: (s) => (tp(s) * s.avgTradePct * s.winRatePct * s.tpi * s.linearAnnReturnPct) / mdd(s) / 10000,
};

export interface Objective {
  /** stat key, alias or "custom" */
  readonly name: string;
  readonly direction: "maximize" | "minimize";
  /** the stat keys it reads; undefined for a function (any of them) */
  readonly needs?: readonly (keyof Stats)[];
  /** the string it was made from, "-" first when minimized (undefined for a function) */
  readonly spec?: string;
  /** raw value (NaN when undefined, e.g. SQN without trades) */
  value(stats: Stats): number;
  /** value oriented so higher is better; NaN disqualifies */
  score(stats: Stats): number;
}

/** The stat keys STOM's combined codes read (STOM_CODES). */
const STOM_CODE_NEEDS: Readonly<Record<string, readonly (keyof Stats)[]>> = {
  TP: ["totalPnl", "requiredCapital"],
  PM: ["totalPnl", "requiredCapital", "maxDrawdownPct"],
  P2M: ["totalPnl", "requiredCapital", "maxDrawdownPct"],
  PAM: ["totalPnl", "requiredCapital", "avgTradePct", "maxDrawdownPct"],
  PWM: ["totalPnl", "requiredCapital", "winRatePct", "maxDrawdownPct"],
  PTM: [
    "totalPnl",
    "requiredCapital",
    "avgTradePct",
    "winRatePct",
    "tpi",
    "linearAnnReturnPct",
    "maxDrawdownPct",
  ],
};

/** The stat keys an objective or bound name reads ("TP" reads totalPnl and requiredCapital). */
export function statNeeds(name: string): readonly (keyof Stats)[] {
  statGetter(name); // fails on an unknown name, with a suggestion
  const code = STOM_CODE_NEEDS[name] ?? STOM_CODE_NEEDS[name.toUpperCase()];
  if (code) return code;
  return [(OBJECTIVE_ALIASES[name] ?? OBJECTIVE_ALIASES[name.toUpperCase()] ?? name) as keyof Stats];
}

function statGetter(name: string): StatsFn {
  const code = STOM_CODES[name] ?? STOM_CODES[name.toUpperCase()];
  if (code) return code;
  if (["GM", "G2M", "GAM", "GWM", "GTM"].includes(name.toUpperCase()))
    throw new Error(
      `objective '${name}' divides by the drawdown in cash, which STOM texts report; use P${name.slice(1)} here`,
    );
  const key = (OBJECTIVE_ALIASES[name] ?? OBJECTIVE_ALIASES[name.toUpperCase()] ?? name) as keyof Stats;
  if (!STAT_KEYS.includes(key)) {
    const known = [...STAT_KEYS, ...Object.keys(OBJECTIVE_ALIASES), ...Object.keys(STOM_CODES)];
    const hint = suggest(name, known);
    throw new Error(`unknown objective '${name}'${hint ? `, did you mean '${hint}'?` : ""}`);
  }
  return (s) => Number(s[key]);
}

/**
 * An objective from a stat key ("sqn"), a STOM code ("TP", "TPI", "CAGR") or a function; SQN by
 * default like backtesting.py.
 *
 *     objective("TG").score(stats) === stats.totalPnl
 *     objective((s) => s.returnPct / -s.maxDrawdownPct, { name: "ret/dd" })
 */
export function objective(
  spec: string | StatsFn = "sqn",
  { direction = "maximize", name }: { direction?: "maximize" | "minimize"; name?: string } = {},
): Objective {
  let get: StatsFn;
  let needs: readonly (keyof Stats)[] | undefined;
  if (typeof spec === "function") get = spec;
  else {
    const trimmed = spec.trim();
    // "-key" reads as "minimize key"
    if (trimmed.startsWith("-")) {
      return objective(trimmed.slice(1), {
        direction: direction === "maximize" ? "minimize" : "maximize",
        name,
      });
    }
    get = statGetter(trimmed);
    needs = statNeeds(trimmed);
  }
  const sign = direction === "maximize" ? 1 : -1;
  return Object.freeze({
    name: name ?? (typeof spec === "string" ? spec.trim() : "custom"),
    direction,
    ...(needs && typeof spec === "string"
      ? { needs, spec: `${direction === "minimize" ? "-" : ""}${spec.trim()}` }
      : {}),
    value: (s: Stats) => get(s),
    score: (s: Stats) => {
      const v = get(s);
      return Number.isNaN(v) ? Number.NaN : sign * v;
    },
  });
}

/** Bounds that disqualify a result (STOM 최적화기준값제한): min/max per stat, an expression or a function. */
export type BoundsSpec =
  | string
  | ((stats: Stats) => boolean)
  | Readonly<Record<string, { min?: number; max?: number }>>;

/** The stat keys bounds read; undefined when a function is among them (any key). */
export function boundsNeeds(spec?: BoundsSpec | readonly BoundsSpec[]): readonly (keyof Stats)[] | undefined {
  if (spec === undefined) return [];
  const specs = (Array.isArray(spec) ? spec : [spec]) as readonly BoundsSpec[];
  const out = new Set<keyof Stats>();
  for (const s of specs) {
    if (typeof s === "function") return undefined;
    const names =
      typeof s === "string"
        ? parseExpr(s, {
            known: [...STAT_KEYS, ...Object.keys(OBJECTIVE_ALIASES), ...Object.keys(STOM_CODES)],
          }).names
        : Object.keys(s);
    for (const n of names) for (const key of statNeeds(n)) out.add(key);
  }
  return [...out];
}

/**
 * Compiles bounds into a predicate; true means the result counts.
 *
 *     bounds("trades >= 10 and maxDrawdownPct > -30")
 *     bounds({ trades: { min: 10 }, MDD: { min: -30 } })
 */
export function bounds(spec?: BoundsSpec | readonly BoundsSpec[]): (stats: Stats) => boolean {
  if (spec === undefined) return () => true;
  if (Array.isArray(spec)) {
    const all = (spec as readonly BoundsSpec[]).map((s) => bounds(s));
    return (s) => all.every((f) => f(s));
  }
  if (typeof spec === "function") return spec as (stats: Stats) => boolean;
  if (typeof spec === "string") {
    const known = [...STAT_KEYS, ...Object.keys(OBJECTIVE_ALIASES), ...Object.keys(STOM_CODES)];
    const expr = parseExpr(spec, { known, suggest: (n) => suggest(n, known) });
    const getters = expr.names.map((n) => [n, statGetter(n)] as const);
    return (s) => {
      const vars: Record<string, number> = {};
      for (const [n, g] of getters) vars[n] = g(s);
      return Boolean(expr.evaluate(vars));
    };
  }
  const checks = Object.entries(spec as Record<string, { min?: number; max?: number }>).map(
    ([name, { min, max }]) => {
      const g = statGetter(name);
      return (s: Stats) => {
        const v = g(s);
        return !Number.isNaN(v) && (min === undefined || v >= min) && (max === undefined || v <= max);
      };
    },
  );
  return (s) => checks.every((f) => f(s));
}
