// Python's semantics where STOM texts depend on them, for the code compileStom generates. STOM runs a
// text with exec() over numpy values: a column divided by zero gives inf or nan (numpy warns), a Python
// number divided by zero raises ZeroDivisionError and STOM stops the backtest
// (backengine_kiwoom_tick.py BackTest: `except: print_exc(); self.BackStop()`).

import { npRound } from "../pymath.ts";

/** An error a STOM text raises while it runs (Python's exception name and message), located. */
export class StomRuntimeError extends Error {
  readonly type: string;
  readonly line: number;
  readonly column: number;
  readonly file: string;
  readonly reason: string;

  constructor(type: string, reason: string, at: string) {
    const [file, line, column] = splitAt(at);
    super(`${at}: ${type}: ${reason}`);
    this.name = "StomRuntimeError";
    this.type = type;
    this.reason = reason;
    this.line = line;
    this.column = column;
    this.file = file;
  }
}

function splitAt(at: string): [string, number, number] {
  const m = /^(.*):(\d+):(\d+)$/.exec(at);
  return m ? [m[1], Number(m[2]), Number(m[3])] : [at, 0, 0];
}

/** The names a text can find in globals(): the engine module's imports, none of a text's own. */
const GLOBALS: ReadonlySet<string> = new Set([
  "math",
  "np",
  "pd",
  "sqlite3",
  "gc",
  "strp_time",
  "timedelta_sec",
  "pickle_read",
  "pickle_write",
  "print_exc",
]);

const raise = (type: string, reason: string, at: string): never => {
  throw new StomRuntimeError(type, reason, at);
};

const typeName = (x: unknown): string =>
  x === null || x === undefined
    ? "NoneType"
    : typeof x === "string"
      ? "str"
      : typeof x === "boolean"
        ? "bool"
        : Array.isArray(x)
          ? "list"
          : typeof x === "number"
            ? Number.isInteger(x)
              ? "int"
              : "float"
            : typeof x;

/** Python truthiness (NaN is true in Python, false in JavaScript). */
export function truthy(x: unknown): boolean {
  if (typeof x === "number") return x !== 0;
  if (typeof x === "string" || Array.isArray(x)) return x.length > 0;
  if (x instanceof Set) return x.size > 0;
  return Boolean(x);
}

function num(x: unknown, op: string, at: string): number {
  if (typeof x === "number") return x;
  if (typeof x === "boolean") return x ? 1 : 0;
  return raise("TypeError", `unsupported operand type(s) for ${op}: '${typeName(x)}'`, at);
}

/** The runtime the generated functions call (the `R` parameter). */
export const RUNTIME = Object.freeze({
  truthy,
  /** a / b between Python numbers: b == 0 raises */
  div(a: unknown, b: unknown, at: string): number {
    const y = num(b, "/", at);
    if (y === 0) raise("ZeroDivisionError", "division by zero", at);
    return num(a, "/", at) / y;
  },
  /** a // b between Python numbers (floor division; b == 0 raises) */
  floordiv(a: unknown, b: unknown, at: string, numpy: boolean): number {
    const y = num(b, "//", at);
    if (y === 0 && !numpy) raise("ZeroDivisionError", "integer division or modulo by zero", at);
    return Math.floor(num(a, "//", at) / y);
  },
  /** a % b with Python's sign rule (the sign of b) */
  mod(a: unknown, b: unknown, at: string, numpy: boolean): number {
    const y = num(b, "%", at);
    if (y === 0 && !numpy) raise("ZeroDivisionError", "integer division or modulo by zero", at);
    const m = num(a, "%", at) % y;
    return m !== 0 && m < 0 !== y < 0 ? m + y : m;
  },
  add(a: unknown, b: unknown, at: string): unknown {
    if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
    if (typeof a === "string" && typeof b === "string") return a + b;
    return num(a, "+", at) + num(b, "+", at);
  },
  /** round(x) and round(x, n) as numpy rounds its float64 values (STOM's are numpy values) */
  round(x: unknown, digits: unknown, at: string): number {
    const v = num(x, "round()", at);
    return digits === undefined || digits === null ? npRound(v, 0) : npRound(v, num(digits, "round()", at));
  },
  int(x: unknown, at: string): number {
    if (typeof x === "string") {
      const t = x.trim();
      if (!/^[+-]?\d+$/.test(t)) raise("ValueError", `invalid literal for int() with base 10: '${x}'`, at);
      return Number(t);
    }
    const v = num(x, "int()", at);
    if (Number.isNaN(v)) raise("ValueError", "cannot convert float NaN to integer", at);
    if (!Number.isFinite(v)) raise("OverflowError", "cannot convert float infinity to integer", at);
    return Math.trunc(v) + 0;
  },
  float(x: unknown, at: string): number {
    if (typeof x === "string") {
      const v = Number(x.trim());
      if (x.trim() === "" || Number.isNaN(v))
        raise("ValueError", `could not convert string to float: '${x}'`, at);
      return v;
    }
    return num(x, "float()", at);
  },
  str(x: unknown): string {
    if (typeof x === "string") return x;
    if (typeof x === "boolean") return x ? "True" : "False";
    if (x === null || x === undefined) return "None";
    if (typeof x === "number") {
      if (Number.isNaN(x)) return "nan";
      if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
      return Number.isInteger(x) && Math.abs(x) >= 1e16 ? x.toFixed(0) : String(x);
    }
    return String(x);
  },
  len(x: unknown, at: string): number {
    if (typeof x === "string" || Array.isArray(x)) return x.length;
    return raise("TypeError", `object of type '${typeName(x)}' has no len()`, at);
  },
  /** x in container: lists and tuples by ==, strings by substring, globals() by name */
  contains(container: unknown, x: unknown, at: string): boolean {
    if (Array.isArray(container)) return container.some((y) => y === x || (typeof y === "number" && y === x));
    if (typeof container === "string") {
      if (typeof x !== "string") raise("TypeError", `'in <string>' requires string as left operand`, at);
      return container.includes(x as string);
    }
    if (container instanceof Set) return container.has(x);
    return raise("TypeError", `argument of type '${typeName(container)}' is not iterable`, at);
  },
  index(x: unknown, k: unknown, at: string): unknown {
    if (typeof x === "string" || Array.isArray(x)) {
      let i = num(k, "[]", at);
      if (i < 0) i += x.length;
      if (!(i >= 0 && i < x.length)) raise("IndexError", `${typeName(x)} index out of range`, at);
      return x[i];
    }
    return raise("TypeError", `'${typeName(x)}' object is not subscriptable`, at);
  },
  slice(x: unknown, lo: unknown, hi: unknown, at: string): unknown {
    if (typeof x === "string" || Array.isArray(x)) {
      const a = lo === null ? undefined : num(lo, "[:]", at);
      const b = hi === null ? undefined : num(hi, "[:]", at);
      return x.slice(a, b);
    }
    return raise("TypeError", `'${typeName(x)}' object is not subscriptable`, at);
  },
  min(xs: unknown[], at: string): unknown {
    const list = xs.length === 1 && Array.isArray(xs[0]) ? (xs[0] as unknown[]) : xs;
    if (list.length === 0) raise("ValueError", "min() arg is an empty sequence", at);
    let best = list[0];
    for (const x of list) if ((x as number) < (best as number)) best = x;
    return best;
  },
  max(xs: unknown[], at: string): unknown {
    const list = xs.length === 1 && Array.isArray(xs[0]) ? (xs[0] as unknown[]) : xs;
    if (list.length === 0) raise("ValueError", "max() arg is an empty sequence", at);
    let best = list[0];
    for (const x of list) if ((x as number) > (best as number)) best = x;
    return best;
  },
  sum(x: unknown, at: string): number {
    if (!Array.isArray(x)) return raise("TypeError", `'${typeName(x)}' object is not iterable`, at);
    let s = 0;
    for (const v of x) s += num(v, "sum()", at);
    return s;
  },
  /** x.name(...args): a timedelta's total_seconds() (times are ms here), a list's max/min/sum/mean */
  method(x: unknown, name: string, args: unknown[], at: string): unknown {
    if (typeof x === "number" && name === "total_seconds" && args.length === 0) return x / 1000;
    if (Array.isArray(x) && args.length === 0) {
      if (name === "max") return RUNTIME.max([x], at);
      if (name === "min") return RUNTIME.min([x], at);
      if (name === "sum") return RUNTIME.sum(x, at);
      if (name === "mean") return x.length === 0 ? Number.NaN : RUNTIME.sum(x, at) / x.length;
    }
    return raise("AttributeError", `'${typeName(x)}' object has no attribute '${name}'`, at);
  },
  /** a local read before the text assigned it */
  unbound(name: string, at: string): never {
    return raise("NameError", `name '${name}' is not defined`, at);
  },
  /** self.vars[n] with no value (a text run outside an optimization, or a var with no range) */
  novar(n: number, at: string): never {
    return raise("IndexError", `self.vars[${n}] has no value (give it a range or --param vars${n}=...)`, at);
  },
  fail(type: string, reason: string, at: string): never {
    return raise(type, reason, at);
  },
  globals: GLOBALS,
});

export type Runtime = typeof RUNTIME;
