import { rollingMax, rollingMin } from "../indicators/rolling-extrema.ts";
import { rollingMean } from "../indicators/rolling-mean.ts";
import { rollingSum } from "../indicators/rolling-sum.ts";
import { shift } from "../indicators/shift.ts";
import { type ParamSpec, suggest } from "../params.ts";
import type {
  TickContext,
  TickInitContext,
  TickSellContext,
  TickStrategyDef,
} from "../portfolio/strategy.ts";
import { floorDiv, roundHalfEven } from "../pymath.ts";
import type { Expr, Pos, Program, Stmt } from "./ast.ts";
import { StomSyntaxError } from "./errors.ts";
import {
  BUILTINS,
  DERIVED_NAMES,
  previousColumn,
  SELL_NAMES,
  STOM_COLUMN_NAMES,
  WINDOW_HELPERS,
  type Window,
} from "./names.ts";
import { parseStom, parseStomExpr } from "./parse.ts";

export interface StomCompileOptions {
  readonly name?: string;
  /** file names shown in error messages */
  readonly buyFile?: string;
  readonly sellFile?: string;
  /** STOM's 경과틱수설정: condition name -> expression; 경과틱수('name') counts ticks since it last held */
  readonly conditions?: Readonly<Record<string, string>>;
  /** a third text with self.vars[n] = [[start, end, step], best] lines (STOM's 최적화 변수 box) */
  readonly vars?: string;
  /** offset of the market's zone from UTC in ms, for 시분초 (KST 9 h for KRX, 0 for Upbit as STOM stores coins in UTC) */
  readonly utcOffsetMs?: number;
  /** columns beyond STOM's own that the texts may read */
  readonly columns?: readonly string[];
}

/** What init() prepares per symbol: one typed array per distinct column or helper, and the vars. */
export interface StomState {
  readonly C: readonly Float64Array[];
  readonly V: Float64Array;
  readonly symbol: string;
}

export type StomParamSpecs = Readonly<Record<string, ParamSpec>>;

export interface StomStrategy extends TickStrategyDef<StomParamSpecs, StomState> {
  /** the generated JavaScript of each text (for reading and debugging) */
  readonly code: {
    readonly buy: string;
    readonly sell: string;
    readonly conditions: Readonly<Record<string, string>>;
  };
  /** `vars<n>` -> n */
  readonly varIndex: Readonly<Record<string, number>>;
}

/** Parameter name of self.vars[n]. */
export const varParam = (n: number): string => `vars${n}`;

type ArgFn = (V: Float64Array) => number;
type Located = Pos & { readonly file: string };

type Slot =
  | { readonly kind: "column"; readonly column: string; readonly at: Located }
  | {
      readonly kind: "window";
      readonly helper: string;
      readonly column: string;
      readonly window: Window;
      readonly n: ArgFn;
      readonly pre: ArgFn;
      readonly at: Located;
    }
  | {
      readonly kind: "shift";
      readonly helper: string;
      readonly column: string;
      readonly k: ArgFn;
      readonly at: Located;
    }
  | { readonly kind: "derived"; readonly name: string; readonly at: Located }
  | { readonly kind: "cond"; readonly name: string; readonly at: Located };

interface Runtime {
  floordiv(a: number, b: number): number;
  mod(a: number, b: number): number;
  round(x: number, digits?: number): number;
}

const RUNTIME: Runtime = Object.freeze({
  floordiv: floorDiv,
  mod: (a: number, b: number) => {
    const m = a % b;
    return m !== 0 && m < 0 !== b < 0 ? m + b : m;
  },
  round: (x: number, digits?: number) => {
    if (digits === undefined) return roundHalfEven(x);
    const f = 10 ** digits;
    return roundHalfEven(x * f) / f;
  },
});

type Fn = (
  C: readonly Float64Array[],
  i: number,
  V: Float64Array,
  X: unknown,
  R: Runtime,
  S: string,
) => unknown;

/** The slots shared by every text of one strategy, deduplicated by their source key. */
class Slots {
  readonly list: Slot[] = [];
  readonly #keys = new Map<string, number>();

  add(key: string, make: () => Slot): number {
    let k = this.#keys.get(key);
    if (k === undefined) {
      k = this.list.length;
      this.list.push(make());
      this.#keys.set(key, k);
    }
    return k;
  }
}

interface Ranges {
  readonly specs: Map<number, { spec: ParamSpec; at: Located; text: string }>;
  readonly used: Map<number, Located>;
}

class Gen {
  readonly locals = new Set<string>();
  #signals = 0;

  constructor(
    readonly side: "buy" | "sell" | "cond",
    readonly file: string,
    readonly slots: Slots,
    readonly ranges: Ranges,
    readonly options: StomCompileOptions,
  ) {}

  fail(message: string, at: Pos): never {
    throw new StomSyntaxError(message, at.line, at.column, this.file);
  }

  #at(p: Pos): Located {
    return { line: p.line, column: p.column, file: this.file };
  }

  get flag(): string | undefined {
    return this.side === "buy" ? "매수" : this.side === "sell" ? "매도" : undefined;
  }

  program(program: Program): string {
    collectAssigned(program.body, this.locals);
    const flag = this.flag as string;
    this.locals.add(flag);
    const body = this.#block(program.body, "  ");
    const decls = [...this.locals].map((name) => {
      const init = name === flag ? String(this.side === "buy") : this.#outer(name);
      return `  let ${mangle(name)} = ${init ?? "undefined"};`;
    });
    const result = this.#signals > 0 ? "$$signal" : mangle(flag);
    return [`  let $$signal = false;`, ...decls, body, `  return Boolean(${result});`].join("\n");
  }

  expression(e: Expr): string {
    return `  return ${this.#expr(e)};`;
  }

  #block(stmts: readonly Stmt[], pad: string): string {
    return stmts.map((s) => this.#stmt(s, pad)).join("\n");
  }

  #stmt(s: Stmt, pad: string): string {
    switch (s.type) {
      case "pass":
        return `${pad};`;
      case "var-range":
        this.#range(s);
        return `${pad}// self.vars[${s.index}] range`;
      case "signal":
        if (s.side !== this.side)
          this.fail(
            `self.${s.side === "buy" ? "Buy" : "Sell"}() belongs in the ${s.side} text, not the ${this.side} text`,
            s,
          );
        this.#signals++;
        return `${pad}$$signal = true;`;
      case "assign": {
        const value = this.#expr(s.value);
        const op = s.op === "=" ? "=" : s.op;
        return `${pad}${mangle(s.target)} ${op} ${value};`;
      }
      case "if": {
        const parts = s.branches.map(
          (b, k) =>
            `${k === 0 ? "if" : " else if"} (${this.#expr(b.test)}) {\n${this.#block(b.body, `${pad}  `)}\n${pad}}`,
        );
        const tail = s.otherwise ? ` else {\n${this.#block(s.otherwise, `${pad}  `)}\n${pad}}` : "";
        return `${pad}${parts.join("")}${tail}`;
      }
    }
  }

  #range(s: Stmt & { type: "var-range" }): void {
    const { start, end, step, best } = s;
    const lo = Math.min(start, end);
    const hi = Math.max(start, end);
    const stepAbs = Math.abs(step);
    if (!(stepAbs > 0) && lo !== hi) this.fail(`invalid step of self.vars[${s.index}]: ${step}`, s);
    const integer = [start, end, step, best].every(Number.isInteger);
    const spec: ParamSpec = { default: best, min: lo, max: hi, step: stepAbs || 1, integer };
    const text = JSON.stringify(spec);
    const prev = this.ranges.specs.get(s.index);
    if (prev && prev.text !== text)
      this.fail(
        `self.vars[${s.index}] already has another range at ${prev.at.file}:${prev.at.line}:${prev.at.column}`,
        s,
      );
    if (!prev) this.ranges.specs.set(s.index, { spec, at: this.#at(s), text });
  }

  /** The value a name has before the text assigns it (STOM runs texts with the columns as locals). */
  #outer(name: string): string | undefined {
    if (name in SELL_NAMES && this.side === "sell") return `X.${SELL_NAMES[name]}`;
    if (name === "데이터길이") return "(i + 1)";
    if (name === "종목코드" || name === "종목명") return "S";
    if (DERIVED_NAMES.has(name)) {
      const k = this.slots.add(`derived:${name}`, () => ({
        kind: "derived",
        name,
        at: { line: 1, column: 1, file: this.file },
      }));
      return `C[${k}][i]`;
    }
    if (STOM_COLUMN_NAMES.has(name) || this.options.columns?.includes(name))
      return this.#column(name, { line: 1, column: 1 });
    return undefined;
  }

  #column(column: string, at: Pos): string {
    const k = this.slots.add(`column:${column}`, () => ({ kind: "column", column, at: this.#at(at) }));
    return `C[${k}][i]`;
  }

  #name(e: Expr & { type: "name" }): string {
    const { name } = e;
    if (this.locals.has(name)) return mangle(name);
    if (name in SELL_NAMES && this.side !== "sell") this.fail(`${name} is only known in the sell text`, e);
    if (STOM_COLUMN_NAMES.has(name) || this.options.columns?.includes(name)) return this.#column(name, e);
    const outer = this.#outer(name);
    if (outer !== undefined) return outer;
    const known = [
      ...STOM_COLUMN_NAMES,
      ...DERIVED_NAMES,
      ...(this.side === "sell" ? Object.keys(SELL_NAMES) : []),
      ...this.locals,
      ...(this.options.columns ?? []),
    ];
    const hint = suggest(name, known);
    if (name === "self") this.fail("self is only used as self.vars[n], self.Buy() and self.Sell()", e);
    return this.fail(`unknown name '${name}'${hint ? `, did you mean '${hint}'?` : ""}`, e);
  }

  /** A helper argument: numbers and self.vars only, evaluated once per symbol in init. */
  #arg(e: Expr | undefined, fallback: number, helper: string): { fn: ArgFn; key: string } {
    if (e === undefined) return { fn: () => fallback, key: String(fallback) };
    const src = this.#constant(e, helper);
    return { fn: new Function("V", `return (${src});`) as ArgFn, key: src };
  }

  #constant(e: Expr, helper: string): string {
    switch (e.type) {
      case "num":
        return String(e.value);
      case "var":
        this.ranges.used.set(e.index, this.ranges.used.get(e.index) ?? this.#at(e));
        return `V[${e.index}]`;
      case "unary":
        if (e.op === "not") break;
        return `(${e.op}${this.#constant(e.operand, helper)})`;
      case "binary": {
        const a = this.#constant(e.left, helper);
        const b = this.#constant(e.right, helper);
        if (e.op === "//") return `Math.floor(${a} / ${b})`;
        return `(${a} ${e.op === "%" ? "%" : e.op} ${b})`;
      }
    }
    return this.fail(`arguments of ${helper}() must be numbers or self.vars[n]`, e);
  }

  #call(e: Expr & { type: "call" }): string {
    const callee = e.callee;
    if (callee.type === "attr" && callee.object.type === "name" && callee.object.name === "self")
      this.fail(`self.${callee.name}() is a statement, not a value`, e);
    if (callee.type !== "name") return this.fail("only named functions can be called", e);
    const name = callee.name;
    const args = e.args;
    const arity = (lo: number, hi: number) => {
      if (args.length < lo || args.length > hi)
        this.fail(
          `${name}() takes ${lo === hi ? lo : `${lo} to ${hi}`} argument${hi === 1 ? "" : "s"}, got ${args.length}`,
          e,
        );
    };
    if (BUILTINS.has(name) && !this.locals.has(name)) {
      const xs = args.map((a) => this.#expr(a));
      switch (name) {
        case "abs":
          arity(1, 1);
          return `Math.abs(${xs[0]})`;
        case "min":
        case "max":
          if (xs.length === 0) this.fail(`${name}() needs at least one argument`, e);
          return `Math.${name}(${xs.join(", ")})`;
        case "round":
          arity(1, 2);
          return `R.round(${xs.join(", ")})`;
        case "int":
          arity(1, 1);
          return `Math.trunc(${xs[0]})`;
        default:
          arity(1, 1);
          return `(+${xs[0]})`;
      }
    }
    if (name === "경과틱수") {
      arity(1, 1);
      const a = args[0];
      if (a.type !== "str")
        return this.fail("경과틱수() takes a condition name in quotes, like 경과틱수('돌파')", a);
      if (this.side === "cond") this.fail("a 경과틱수 condition cannot use 경과틱수()", e);
      const cond = a.value;
      if (!this.options.conditions || !(cond in this.options.conditions)) {
        const names = Object.keys(this.options.conditions ?? {});
        const hint = suggest(cond, names);
        this.fail(
          `unknown condition '${cond}' for 경과틱수${hint ? `, did you mean '${hint}'?` : names.length ? ` (known: ${names.join(", ")})` : " (define it with --stom-cond name=expression)"}`,
          a,
        );
      }
      const k = this.slots.add(`cond:${cond}`, () => ({ kind: "cond", name: cond, at: this.#at(a) }));
      return `C[${k}][i]`;
    }
    const helper = WINDOW_HELPERS[name];
    if (helper) {
      arity(1, 2);
      const n = this.#arg(args[0], 1, name);
      const pre = this.#arg(args[1], 0, name);
      const key = `window:${name}:${n.key}:${pre.key}`;
      const k = this.slots.add(key, () => ({
        kind: "window",
        helper: name,
        column: helper.column,
        window: helper.window,
        n: n.fn,
        pre: pre.fn,
        at: this.#at(e),
      }));
      return `C[${k}][i]`;
    }
    const column = previousColumn(name);
    if (column) {
      arity(1, 1);
      const kk = this.#arg(args[0], 0, name);
      const k = this.slots.add(`shift:${column}:${kk.key}`, () => ({
        kind: "shift",
        helper: name,
        column,
        k: kk.fn,
        at: this.#at(e),
      }));
      return `C[${k}][i]`;
    }
    const known = [
      ...Object.keys(WINDOW_HELPERS),
      ...BUILTINS,
      "경과틱수",
      ...[...STOM_COLUMN_NAMES].map((c) => `${c}N`),
    ];
    const hint = suggest(name, known);
    return this.fail(`unknown function '${name}'${hint ? `, did you mean '${hint}'?` : ""}`, e);
  }

  #expr(e: Expr): string {
    switch (e.type) {
      case "num":
        return e.value < 0 ? `(${e.value})` : String(e.value);
      case "str":
        return JSON.stringify(e.value);
      case "bool":
        return String(e.value);
      case "none":
        return "null";
      case "name":
        return this.#name(e);
      case "var":
        this.ranges.used.set(e.index, this.ranges.used.get(e.index) ?? this.#at(e));
        return `V[${e.index}]`;
      case "attr":
        return this.fail(
          e.object.type === "name" && e.object.name === "self"
            ? `self.${e.name} is not supported (only self.vars[n], self.Buy(), self.Sell())`
            : `attribute '.${e.name}' is not supported`,
          e,
        );
      case "index":
        return this.fail("indexing is only supported as self.vars[n]", e);
      case "list":
        return this.fail("lists are only used in self.vars[n] = [[start, end, step], best]", e);
      case "call":
        return this.#call(e);
      case "unary":
        return e.op === "not" ? `(!${this.#expr(e.operand)})` : `(${e.op}${this.#expr(e.operand)})`;
      case "binary": {
        const a = this.#expr(e.left);
        const b = this.#expr(e.right);
        if (e.op === "//") return `R.floordiv(${a}, ${b})`;
        if (e.op === "%") return `R.mod(${a}, ${b})`;
        return `(${a} ${e.op} ${b})`;
      }
      case "bool-op":
        return `(${e.operands.map((x) => this.#expr(x)).join(e.op === "and" ? " && " : " || ")})`;
      case "compare": {
        // operands are pure, so repeating the middle ones is safe
        const xs = e.operands.map((x) => this.#expr(x));
        const op = (o: string) => (o === "==" ? "===" : o === "!=" ? "!==" : o);
        return `(${e.ops.map((o, k) => `${xs[k]} ${op(o)} ${xs[k + 1]}`).join(" && ")})`;
      }
      case "ternary":
        return `(${this.#expr(e.test)} ? ${this.#expr(e.yes)} : ${this.#expr(e.no)})`;
    }
  }
}

function collectAssigned(stmts: readonly Stmt[], out: Set<string>): void {
  for (const s of stmts) {
    if (s.type === "assign") out.add(s.target);
    else if (s.type === "if") {
      for (const b of s.branches) collectAssigned(b.body, out);
      if (s.otherwise) collectAssigned(s.otherwise, out);
    }
  }
}

const mangle = (name: string): string => `$${name}`;

function compileFn(body: string): Fn {
  return new Function("C", "i", "V", "X", "R", "S", `"use strict";\n${body}`) as Fn;
}

const windowFns: Record<Window, (x: ArrayLike<number>, n: number) => Float64Array> = {
  mean: rollingMean,
  max: rollingMax,
  min: rollingMin,
  sum: rollingSum,
};

function checkWhole(value: number, lo: number, what: string, at: Located): number {
  if (!Number.isInteger(value) || value < lo)
    throw new StomSyntaxError(`invalid ${what}: ${value}`, at.line, at.column, at.file);
  return value;
}

/** hhmmss of each snapshot in the market's zone. */
function hhmmss(time: Float64Array, utcOffsetMs: number): Float64Array {
  const out = new Float64Array(time.length);
  for (let r = 0; r < time.length; r++) {
    const s = Math.floor(((((time[r] + utcOffsetMs) % 86_400_000) + 86_400_000) % 86_400_000) / 1000);
    out[r] = Math.floor(s / 3600) * 10_000 + Math.floor((s % 3600) / 60) * 100 + (s % 60);
  }
  return out;
}

/**
 * Compiles a STOM buy text and sell text into a tick strategy for runTicks. Each text becomes one
 * JavaScript function (new Function, so it runs in the page too) over typed columns; every column and
 * helper call the texts use is computed once per symbol in init, one array per distinct argument;
 * self.vars[n] become the parameters `vars<n>` with the ranges written in the texts.
 *
 *     const s = compileStom(buyText, sellText, { utcOffsetMs: 9 * 3_600_000 });
 *     runTicks(s, frames, { params: { vars0: 30 } });
 */
export function compileStom(
  buyText: string,
  sellText: string,
  options: StomCompileOptions = {},
): StomStrategy {
  const { buyFile = "buy", sellFile = "sell", utcOffsetMs = 0 } = options;
  const slots = new Slots();
  const ranges: Ranges = { specs: new Map(), used: new Map() };
  if (options.vars !== undefined) {
    const vars = parseStom(options.vars, "vars");
    const gen = new Gen("buy", "vars", slots, ranges, options);
    for (const s of vars.body) {
      if (s.type !== "var-range")
        gen.fail("the vars text holds only self.vars[n] = [[start, end, step], best] lines", s);
      gen.program({ file: "vars", body: [s] });
    }
  }
  const buyGen = new Gen("buy", buyFile, slots, ranges, options);
  const buySrc = buyGen.program(parseStom(buyText, buyFile));
  const sellGen = new Gen("sell", sellFile, slots, ranges, options);
  const sellSrc = sellGen.program(parseStom(sellText, sellFile));
  const condSrc: Record<string, string> = {};
  const condFns = new Map<string, Fn>();
  for (const [name, text] of Object.entries(options.conditions ?? {})) {
    const file = `경과틱수 ${name}`;
    const gen = new Gen("cond", file, slots, ranges, options);
    condSrc[name] = gen.expression(parseStomExpr(text, file));
    condFns.set(name, compileFn(condSrc[name]));
  }
  for (const [index, at] of ranges.used) {
    if (!ranges.specs.has(index))
      throw new StomSyntaxError(
        `self.vars[${index}] has no range: add self.vars[${index}] = [[start, end, step], best]`,
        at.line,
        at.column,
        at.file,
      );
  }
  const params: Record<string, ParamSpec> = {};
  const varIndex: Record<string, number> = {};
  for (const index of [...ranges.specs.keys()].sort((a, b) => a - b)) {
    params[varParam(index)] = ranges.specs.get(index)?.spec as ParamSpec;
    varIndex[varParam(index)] = index;
  }
  const nVars = Math.max(-1, ...ranges.specs.keys()) + 1;
  const buyFn = compileFn(buySrc);
  const sellFn = compileFn(sellSrc);
  const list = slots.list;

  const init = (ctx: TickInitContext<StomParamSpecs>): StomState => {
    const V = new Float64Array(nVars);
    for (const [name, index] of Object.entries(varIndex)) V[index] = ctx.params[name];
    const cols = ctx.columns;
    const need = (column: string, at: Located): Float64Array => {
      const values = cols[column];
      if (!values)
        throw new StomSyntaxError(
          `column ${column} is not in the data of ${ctx.symbol}`,
          at.line,
          at.column,
          at.file,
        );
      return values;
    };
    const computed = new Map<string, Float64Array>();
    const C: Float64Array[] = new Array(list.length);
    for (let k = 0; k < list.length; k++) {
      const slot = list[k];
      if (slot.kind === "column") C[k] = need(slot.column, slot.at);
      else if (slot.kind === "derived") {
        if (slot.name === "시분초") C[k] = hhmmss(need("time", slot.at), utcOffsetMs);
        else if (slot.name === "호가단위") {
          const a1 = need("매도호가1", slot.at);
          const a2 = need("매도호가2", slot.at);
          C[k] = a2.map((v, r) => v - a1[r]);
        } else {
          const price = need("VI가격", slot.at);
          const unit = need("VI호가단위", slot.at);
          C[k] = price.map((v, r) => v - unit[r] * 5);
        }
      } else if (slot.kind === "window" || slot.kind === "shift") {
        const values = need(slot.column, slot.at);
        let key: string;
        let make: () => Float64Array;
        if (slot.kind === "window") {
          const n = checkWhole(slot.n(V), 1, `tick count of ${slot.helper}()`, slot.at);
          const pre = checkWhole(slot.pre(V), 0, `pre of ${slot.helper}()`, slot.at);
          key = `${slot.window}:${slot.column}:${n}:${pre}`;
          make = () => {
            const w = windowFns[slot.window](values, n);
            return pre > 0 ? shift(w, pre) : w;
          };
        } else {
          const back = checkWhole(slot.k(V), 0, `ticks back of ${slot.helper}()`, slot.at);
          key = `shift:${slot.column}:${back}`;
          make = () => shift(values, back);
        }
        let out = computed.get(key);
        if (!out) {
          out = make();
          ctx.I(out, key);
          computed.set(key, out);
        }
        C[k] = out;
      }
    }
    // conditions last: they read the other slots, row by row, as STOM evaluates them on every tick
    for (let k = 0; k < list.length; k++) {
      const slot = list[k];
      if (slot.kind !== "cond") continue;
      const fn = condFns.get(slot.name) as Fn;
      const out = new Float64Array(ctx.length);
      let last = 0;
      for (let r = 0; r < ctx.length; r++) {
        if (fn(C, r, V, null, RUNTIME, ctx.symbol)) last = r;
        // STOM keeps the row index and reads 0 as never
        out[r] = last !== 0 ? r - last : 0;
      }
      C[k] = out;
    }
    return { C, V, symbol: ctx.symbol };
  };

  return Object.freeze({
    name: options.name ?? "stom",
    description: "compiled from STOM buy and sell texts",
    params: Object.freeze(params),
    init,
    buy: (ctx: TickContext<StomParamSpecs>, st: StomState) =>
      Boolean(buyFn(st.C, ctx.i, st.V, ctx, RUNTIME, st.symbol)),
    sell: (ctx: TickSellContext<StomParamSpecs>, st: StomState) =>
      Boolean(sellFn(st.C, ctx.i, st.V, ctx, RUNTIME, st.symbol)),
    code: Object.freeze({ buy: buySrc, sell: sellSrc, conditions: Object.freeze(condSrc) }),
    varIndex: Object.freeze(varIndex),
  });
}
