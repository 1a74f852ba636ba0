import { type ParamSpecs, suggest } from "../params.ts";

/** One searched parameter: its grid values in order, and the range samplers draw from. */
export interface Dimension {
  readonly name: string;
  /** grid values, ascending as given */
  readonly values: readonly number[];
  readonly low: number;
  readonly high: number;
  /** 0 for a continuous range */
  readonly step: number;
  readonly integer: boolean;
  /** sampled anywhere in [low, high] (a non-integer spec without a step), not only at `values` */
  readonly continuous: boolean;
  /** `values` ascending, for snapping */
  readonly sorted: readonly number[];
}

/** Searched dimensions, plus the parameters held fixed (defaults or single values). */
export interface SearchSpace {
  readonly dims: readonly Dimension[];
  readonly fixed: Readonly<Record<string, number>>;
  /** number of grid cells before constraints */
  readonly size: number;
}

/** A range as STOM writes it, `[start, end, step]` with `end` included, or an explicit list. */
export type RangeSpec = { start: number; end: number; step: number } | readonly number[];

const MAX_VALUES = 1_000_000;

function rangeValues(
  name: string,
  { start, end, step }: { start: number; end: number; step: number },
): number[] {
  if (![start, end, step].every(Number.isFinite))
    throw new Error(`invalid range for ${name}: ${start}:${end}:${step}`);
  if (step <= 0) throw new Error(`invalid step for ${name}: ${step}`);
  if (end < start) throw new Error(`invalid range for ${name}: end ${end} < start ${start}`);
  const n = Math.floor((end - start) / step + 1e-9) + 1;
  if (n > MAX_VALUES) throw new Error(`range for ${name} has ${n} values, more than ${MAX_VALUES}`);
  // multiply rather than accumulate so 0.1 steps do not drift
  return Array.from({ length: n }, (_, k) => Number((start + k * step).toPrecision(12)));
}

/**
 * Parses `--grid` arguments: "fast=5:50:5" (end included), "fast=5:50" (step 1), "fast=5,10,20".
 *
 *     parseGrid(["fast=5:50:5"]) // { fast: { start: 5, end: 50, step: 5 } }
 */
export function parseGrid(args: readonly string[] = []): Record<string, RangeSpec> {
  const out: Record<string, RangeSpec> = {};
  for (const arg of args) {
    const eq = arg.indexOf("=");
    if (eq <= 0) throw new Error(`invalid --grid '${arg}', expected name=start:end:step`);
    const name = arg.slice(0, eq).trim();
    const body = arg.slice(eq + 1).trim();
    if (body.includes(":")) {
      const parts = body.split(":").map(Number);
      if (parts.length < 2 || parts.length > 3 || parts.some((x) => !Number.isFinite(x)))
        throw new Error(`invalid --grid '${arg}', expected name=start:end:step`);
      out[name] = { start: parts[0], end: parts[1], step: parts[2] ?? 1 };
    } else {
      const values = body.split(",").map(Number);
      if (!values.length || values.some((x) => !Number.isFinite(x)))
        throw new Error(`invalid --grid '${arg}', expected name=v1,v2,...`);
      out[name] = values;
    }
  }
  return out;
}

/**
 * The search space: the given ranges when any, else every parameter whose spec has min and max
 * (step 1 for integers). Parameters not searched stay at their default (or a `fixed` value).
 */
export function searchSpace(
  specs: ParamSpecs,
  ranges: Readonly<Record<string, RangeSpec>> = {},
  { fixed = {} }: { fixed?: Readonly<Record<string, number>> } = {},
): SearchSpace {
  const names = Object.keys(specs);
  for (const name of [...Object.keys(ranges), ...Object.keys(fixed)]) {
    if (!(name in specs)) {
      const hint = suggest(name, names);
      throw new Error(
        `unknown parameter '${name}'${hint ? `, did you mean '${hint}'?` : ` (known: ${names.join(", ")})`}`,
      );
    }
  }
  const given = Object.keys(ranges).length > 0;
  const dims: Dimension[] = [];
  const fixedOut: Record<string, number> = {};
  for (const name of given ? Object.keys(ranges) : names) {
    const spec = specs[name];
    const integer = spec.integer ?? true;
    let values: number[];
    let step: number;
    const r = ranges[name];
    if (r === undefined) {
      if (spec.min === undefined || spec.max === undefined || name in fixed) continue;
      step = spec.step ?? (integer ? 1 : 0);
      values = step > 0 ? rangeValues(name, { start: spec.min, end: spec.max, step }) : [spec.min, spec.max];
    } else if (Array.isArray(r)) {
      values = [...(r as readonly number[])];
      if (!values.length) throw new Error(`parameter ${name} is given no values`);
      const sorted = [...values].sort((a, b) => a - b);
      step = sorted.length > 1 ? sorted[1] - sorted[0] : 0;
      for (let k = 2; k < sorted.length; k++) if (sorted[k] - sorted[k - 1] !== step) step = 0;
    } else {
      const rs = r as { start: number; end: number; step: number };
      values = rangeValues(name, rs);
      step = rs.step;
    }
    for (const v of values) {
      if (integer && !Number.isInteger(v))
        throw new Error(`parameter '${name}' must be an integer, got ${v}`);
      if (spec.min !== undefined && v < spec.min)
        throw new Error(`parameter '${name}' must be >= ${spec.min}, got ${v}`);
      if (spec.max !== undefined && v > spec.max)
        throw new Error(`parameter '${name}' must be <= ${spec.max}, got ${v}`);
    }
    if (values.length === 1) {
      fixedOut[name] = values[0];
      continue;
    }
    dims.push(
      Object.freeze({
        name,
        values: Object.freeze(values),
        low: Math.min(...values),
        high: Math.max(...values),
        step,
        integer,
        continuous: r === undefined && step === 0 && !integer,
        sorted: Object.freeze([...values].sort((a, b) => a - b)),
      }),
    );
  }
  Object.assign(fixedOut, fixed);
  const size = dims.reduce((p, d) => p * d.values.length, 1);
  return Object.freeze({ dims: Object.freeze(dims), fixed: Object.freeze(fixedOut), size });
}

/** Snaps a sampled value to the nearest allowed one: a grid value, or the clamped value of a continuous range. */
export function snap(dim: Dimension, x: number): number {
  if (dim.continuous) return Math.min(dim.high, Math.max(dim.low, x));
  const v = dim.sorted;
  let lo = 0;
  let hi = v.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (v[mid] <= x) lo = mid;
    else hi = mid;
  }
  return Math.abs(v[hi] - x) < Math.abs(x - v[lo]) ? v[hi] : v[lo];
}

/** Stable key of a parameter set, for de-duplication. */
export const paramKey = (params: Readonly<Record<string, number>>): string =>
  Object.entries(params)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
