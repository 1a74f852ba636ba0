import { type ParamSpec, suggest } from "../params.ts";
import type { Expr, Pos, Program, Stmt } from "./ast.ts";
import { StomSyntaxError } from "./errors.ts";
import { STOM_INDICATOR_KEYS } from "./indicators.ts";
import type { StomKind } from "./layouts.ts";
import {
  BUILTINS,
  columnNames,
  derivedNames,
  type HelperSpec,
  helperSpecs,
  INDICATOR_NAMES,
  isStock,
  isTick,
  previousColumn,
  SELL_NAMES,
} from "./names.ts";
import { parseStom, parseStomExpr } from "./parse.ts";
import { RUNTIME } from "./runtime.ts";
import { stomVarValues } from "./search.ts";
import { stomBuyText, stomSellText } from "./texts.ts";

export interface StomCompileOptions {
  /** the DB layout the texts run on: it decides the names, helpers and rounding (default stock_tick) */
  readonly kind?: StomKind;
  readonly name?: string;
  /** file names shown in error messages */
  readonly buyFile?: string;
  readonly sellFile?: string;
  /** STOM's 경과틱수설정: condition name -> expression; 경과틱수('name') counts snapshots since it last held */
  readonly conditions?: Readonly<Record<string, string>>;
  /** STOM's 최적화 범위 text: self.vars[n] = [[start, end, step], best] lines */
  readonly vars?: string;
  /** STOM's GA range text: self.vars[n] = [[v1, v2, ...], best] lines */
  readonly gaVars?: string;
  /**
   * columns the data holds beyond the kind's STOM V1.10 layout (a STOM_V3 DB's 초당매수금액 …): texts
   * read them as locals and as `<column>N(k)`
   */
  readonly extraColumns?: readonly string[];
}

/** One self.vars[n] as the texts or the vars files give it. */
export interface StomVar {
  readonly index: number;
  /** [start, end, step] from the 최적화 범위 form, or null */
  readonly range: readonly [number, number, number] | null;
  /** every value the grid visits (STOM's range: start to end by step, end included), or the GA list */
  readonly values: readonly number[];
  /** the GA form's list, when given */
  readonly gaValues: readonly number[] | null;
  readonly best: number;
}

/** A helper call site: what the engine computes per snapshot. */
export type StomHelper = HelperSpec & { readonly name: string };

/** The generated function of one text, bound to one symbol by the engine. */
export type StomFactory = (D: readonly Float64Array[], H: unknown, R: unknown) => (V: unknown) => unknown;

/** Two STOM texts compiled for STOM's backtest engine (backtest.ts). */
export interface StomProgram {
  readonly name: string;
  readonly kind: StomKind;
  /** the columns the generated code reads, in slot order (D[k]) */
  readonly columns: readonly string[];
  /** the helpers in call-site order (H.h(k, ...)) */
  readonly helpers: readonly StomHelper[];
  /** 경과틱수 condition names, in slot order */
  readonly conditionNames: readonly string[];
  readonly buy: StomFactory;
  readonly sell: StomFactory;
  readonly conditions: readonly StomFactory[];
  /** condition number -> the line above its `매도 = True` (STOM's dict_cond) */
  readonly sellConditions: Readonly<Record<number, string>>;
  /** the `self.indicator[...] = ...` lines of the buy text (STOM's indistg), as (V) -> [key, value] */
  readonly indicatorSettings: readonly ((V: unknown) => [string, number])[];
  /** the TA-Lib values the texts read (minute DBs) */
  readonly indicators: readonly string[];
  /** what STOM accepts but ignores (a misspelt self.indicator key), located */
  readonly warnings: readonly string[];
  readonly vars: ReadonlyMap<number, StomVar>;
  /** optimization parameters `vars<n>` with their ranges, `best` as default */
  readonly params: Readonly<Record<string, ParamSpec>>;
  /** the generated JavaScript, for reading */
  readonly code: { readonly buy: string; readonly sell: string; readonly conditions: readonly string[] };
}

/** Parameter name of self.vars[n]. */
export const varParam = (n: number): string => `vars${n}`;

type Ty = "np" | "py";
type Side = "buy" | "sell" | "cond";

interface Shared {
  readonly kind: StomKind;
  readonly extraColumns: readonly string[];
  readonly columns: string[];
  readonly columnSlot: Map<string, number>;
  readonly helpers: StomHelper[];
  readonly conditionNames: readonly string[];
  readonly indicators: Set<string>;
  readonly vars: Map<
    number,
    { range: [number, number, number] | null; ga: number[] | null; best: number; at: string }
  >;
}

const MATH: Readonly<Record<string, string>> = {
  sqrt: "Math.sqrt",
  log: "Math.log",
  log10: "Math.log10",
  exp: "Math.exp",
  atan: "Math.atan",
  atan2: "Math.atan2",
  sin: "Math.sin",
  cos: "Math.cos",
  tan: "Math.tan",
  floor: "Math.floor",
  ceil: "Math.ceil",
  fabs: "Math.abs",
  pow: "Math.pow",
};

/** Translates one STOM text (a Python subset) into the body of a JavaScript function. */
class Gen {
  readonly locals = new Map<string, Ty>();
  readonly #names: Set<string>;
  readonly #columns: Set<string>;
  readonly #helpers: Readonly<Record<string, HelperSpec>>;

  constructor(
    readonly side: Side,
    readonly file: string,
    readonly shared: Shared,
    readonly condLines: ReadonlyMap<number, number> = new Map(),
  ) {
    this.#columns = new Set([...columnNames(shared.kind), ...shared.extraColumns]);
    this.#names = new Set(derivedNames(shared.kind));
    this.#helpers = helperSpecs(shared.kind);
  }

  fail(message: string, at: Pos): never {
    throw new StomSyntaxError(message, at.line, at.column, this.file);
  }

  #at(p: Pos): string {
    return JSON.stringify(`${this.file}:${p.line}:${p.column}`);
  }

  program(program: Program): string {
    collectAssigned(program.body, this.locals);
    this.locals.set("매수", "py");
    this.locals.set("매도", "py");
    // a local that shadows a column starts as the column's numpy value
    for (const name of this.locals.keys()) if (this.#columns.has(name)) this.locals.set(name, "np");
    this.#inferLocals(program.body);
    const body = this.#block(program.body, "    ");
    const decls = [...this.locals.keys()].map((name) => {
      const init = name === "매수" ? "true" : name === "매도" ? "false" : (this.#outer(name) ?? "undefined");
      return `    let ${mangle(name)} = ${init};`;
    });
    const lines = ["    let $$signal = false, $$cond = 0;", ...decls, body];
    lines.push(this.side === "sell" ? "    H.cond = $$cond;" : "", "    return $$signal;");
    return lines.join("\n");
  }

  expression(e: Expr): string {
    return `    return R.truthy(${this.#expr(e)});`;
  }

  /** A value computed from numbers and self.vars only (a self.indicator setting). */
  value(e: Expr): string {
    return this.#expr(e);
  }

  /** A local is a numpy value when any assignment can make it one (flow-insensitive, to a fixpoint). */
  #inferLocals(stmts: readonly Stmt[]): void {
    for (let round = 0; round < 8; round++) {
      let changed = false;
      const visit = (list: readonly Stmt[]) => {
        for (const s of list) {
          if (s.type === "assign" && this.locals.get(s.target) !== "np" && this.#type(s.value) === "np") {
            this.locals.set(s.target, "np");
            changed = true;
          } else if (s.type === "if") {
            for (const b of s.branches) visit(b.body);
            if (s.otherwise) visit(s.otherwise);
          } else if (s.type === "try") {
            visit(s.body);
            if (s.handler) visit(s.handler);
            if (s.final) visit(s.final);
          }
        }
      };
      visit(stmts);
      if (!changed) return;
    }
  }

  #block(stmts: readonly Stmt[], pad: string): string {
    if (stmts.length === 0) return `${pad};`;
    return stmts.map((s) => this.#stmt(s, pad)).join("\n");
  }

  #stmt(s: Stmt, pad: string): string {
    switch (s.type) {
      case "pass":
        return `${pad};`;
      case "var-range":
        this.#range(s);
        return `${pad}// self.vars[${s.index}] range`;
      case "signal": {
        // STOM's own order call closes each text (texts.ts); a text's own self.Buy(...)/self.Sell(...)
        // would call STOM's Buy(vturn, vkey) with the wrong arguments and stop the run
        const own = s.side === "buy" ? "Buy" : "Sell";
        if (s.side !== this.side)
          return `${pad}R.fail("TypeError", "self.${own}() is STOM's order call; it cannot be called here", ${this.#at(s)});`;
        return `${pad}$$signal = true;`;
      }
      case "assign": {
        const prefix =
          this.side === "sell" && s.target === "매도" && this.condLines.has(s.line)
            ? `$$cond = ${this.condLines.get(s.line)}; `
            : "";
        const target = mangle(s.target);
        if (s.op === "=") return `${pad}${prefix}${target} = ${this.#expr(s.value)};`;
        const binary: Expr = {
          type: "binary",
          op: s.op.slice(0, -1),
          left: { type: "name", name: s.target, line: s.line, column: s.column },
          right: s.value,
          line: s.line,
          column: s.column,
        };
        return `${pad}${prefix}${target} = ${this.#expr(binary)};`;
      }
      case "store":
        return `${pad}${this.#store(s.target, this.#expr(s.value))};`;
      case "expr":
        return `${pad}void ${this.#expr(s.expr)};`;
      case "if": {
        const parts = s.branches.map(
          (b, k) =>
            `${k === 0 ? "if" : " else if"} (${this.#test(b.test)}) {\n${this.#block(b.body, `${pad}  `)}\n${pad}}`,
        );
        const tail = s.otherwise ? ` else {\n${this.#block(s.otherwise, `${pad}  `)}\n${pad}}` : "";
        return `${pad}${parts.join("")}${tail}`;
      }
      case "try": {
        const handler = s.handler ? ` catch {\n${this.#block(s.handler, `${pad}  `)}\n${pad}}` : "";
        const final = s.final ? ` finally {\n${this.#block(s.final, `${pad}  `)}\n${pad}}` : "";
        return `${pad}try {\n${this.#block(s.body, `${pad}  `)}\n${pad}}${handler}${final}`;
      }
    }
  }

  #store(target: Expr, value: string): string {
    if (target.type === "attr") return `H.store(${JSON.stringify(target.name)}, ${value})`;
    if (target.type === "index" && target.object.type === "attr" && target.object.name === "indicator")
      return `H.setIndicator(${this.#expr(target.index)}, ${value})`;
    return this.fail("only self.<name> = value can be assigned on self", target);
  }

  #range(s: Stmt & { type: "var-range" }): void {
    recordVar(this.shared, s, this.file, "range");
  }

  /** The value a name has before the text assigns it (STOM runs texts with the columns as locals). */
  #outer(name: string): string | undefined {
    if (this.side === "sell" && SELL_NAMES.includes(name)) return `P.${name}`;
    if (this.#names.has(name)) return this.#derived(name);
    if (this.#columns.has(name)) return this.#column(name);
    if (!isTick(this.shared.kind) && INDICATOR_NAMES.includes(name)) {
      this.shared.indicators.add(name);
      return `H.ind(${JSON.stringify(name)}, null, "")`;
    }
    return undefined;
  }

  #derived(name: string): string {
    switch (name) {
      case "데이터길이":
        return "H.len";
      case "시분초":
        return "H.hms";
      case "종목코드":
        return "H.code";
      case "종목명":
        return "H.name";
      case "호가단위":
        return `(${this.#column("매도호가2")} - ${this.#column("매도호가1")})`;
      case "VI아래5호가":
        return "H.vi5()";
      default:
        return "0"; // vturn, vkey
    }
  }

  #column(column: string): string {
    if (column === "VI해제시간") return "H.viTime()";
    let k = this.shared.columnSlot.get(column);
    if (k === undefined) {
      k = this.shared.columns.length;
      this.shared.columns.push(column);
      this.shared.columnSlot.set(column, k);
    }
    return `c${k}[i]`;
  }

  #name(e: Expr & { type: "name" }): string {
    const { name } = e;
    if (this.locals.has(name)) {
      const shadow = this.#outer(name) !== undefined || name === "매수" || name === "매도";
      return shadow
        ? mangle(name)
        : `(${mangle(name)} === undefined ? R.unbound(${JSON.stringify(name)}, ${this.#at(e)}) : ${mangle(name)})`;
    }
    const outer = this.#outer(name);
    if (outer !== undefined) return outer;
    if (name === "self")
      this.fail("self is used as self.vars[n], self.<name> or in self.Buy()/self.Sell()", e);
    if (this.side !== "sell" && SELL_NAMES.includes(name))
      this.fail(`${name} is only known in the sell text`, e);
    const known = [
      ...this.#columns,
      ...this.#names,
      ...(this.side === "sell" ? SELL_NAMES : []),
      ...this.locals.keys(),
    ];
    const hint = suggest(name, known);
    return this.fail(`unknown name '${name}'${hint ? `, did you mean '${hint}'?` : ""}`, e);
  }

  /** Static type: numpy values (columns, most helpers) divide by zero to inf/nan, Python numbers raise. */
  #type(e: Expr): Ty {
    switch (e.type) {
      case "name": {
        if (this.locals.has(e.name)) return this.locals.get(e.name) as Ty;
        return this.#columns.has(e.name) || e.name === "호가단위" ? "np" : "py";
      }
      case "call": {
        const c = e.callee;
        if (c.type !== "name") return "py";
        const spec = this.#helpers[c.name];
        if (spec) return spec.kind === "angle" || (spec.kind === "area" && spec.post === "int") ? "py" : "np";
        if (previousColumn(c.name, this.shared.kind)) return "np";
        if (c.name.endsWith("_N") && INDICATOR_NAMES.includes(c.name.slice(0, -2))) return "np";
        if (c.name === "abs" || (c.name === "round" && e.args.length === 2))
          return e.args[0] ? this.#type(e.args[0]) : "py";
        if (c.name === "min" || c.name === "max")
          return e.args.some((a) => this.#type(a) === "np") ? "np" : "py";
        return "py";
      }
      case "unary":
        return this.#type(e.operand);
      case "binary":
        return this.#type(e.left) === "np" || this.#type(e.right) === "np" ? "np" : "py";
      case "ternary":
        return this.#type(e.yes) === "np" || this.#type(e.no) === "np" ? "np" : "py";
      case "bool-op":
        return e.operands.some((x) => this.#type(x) === "np") ? "np" : "py";
      default:
        return "py";
    }
  }

  /** A value in an if / while test: Python truthiness unless it is a boolean already. */
  #test(e: Expr): string {
    const js = this.#expr(e);
    return isBoolean(e) ? js : `R.truthy(${js})`;
  }

  #call(e: Expr & { type: "call" }): string {
    const callee = e.callee;
    const at = this.#at(e);
    const args = e.args;
    const arity = (name: string, lo: number, hi: number) => {
      if (args.length < lo || args.length > hi)
        this.fail(
          `${name}() takes ${lo === hi ? lo : `${lo} to ${hi}`} argument${hi === 1 ? "" : "s"}, got ${args.length}`,
          e,
        );
    };
    if (callee.type === "attr") {
      const obj = callee.object;
      if (obj.type === "name" && obj.name === "self") {
        if (callee.name === "Buy" || callee.name === "Sell")
          return `R.fail("TypeError", "self.${callee.name}() is STOM's order call", ${at})`;
        return `R.fail("AttributeError", "self.${callee.name}() is part of STOM's engine, not available here", ${at})`;
      }
      if (obj.type === "name" && obj.name === "math" && !this.locals.has("math")) {
        const fn = MATH[callee.name];
        if (!fn) this.fail(`math.${callee.name}() is not supported`, e);
        return `${fn}(${args.map((a) => this.#expr(a)).join(", ")})`;
      }
      return `R.method(${this.#expr(obj)}, ${JSON.stringify(callee.name)}, [${args.map((a) => this.#expr(a)).join(", ")}], ${at})`;
    }
    if (callee.type !== "name") return this.fail("only named functions can be called", e);
    const name = callee.name;
    const xs = () => args.map((a) => this.#expr(a));
    if (this.locals.has(name)) this.fail(`'${name}' is a value here, not a function`, e);
    const spec = this.#helpers[name];
    if (spec) {
      arity(name, 1, 2);
      const [tick, pre] = xs();
      const k = this.shared.helpers.length;
      this.shared.helpers.push({ ...spec, name });
      return `H.h(${k}, ${tick}, ${pre ?? 0}, ${at})`;
    }
    const column =
      previousColumn(name, this.shared.kind) ??
      (name.endsWith("N") && this.shared.extraColumns.includes(name.slice(0, -1))
        ? name.slice(0, -1)
        : undefined);
    if (column) {
      arity(name, 1, 1);
      this.#column(column);
      return `H.prev(${this.shared.columnSlot.get(column)}, ${xs()[0]}, ${at})`;
    }
    if (!isTick(this.shared.kind) && name.endsWith("_N") && INDICATOR_NAMES.includes(name.slice(0, -2))) {
      arity(name, 1, 1);
      this.shared.indicators.add(name.slice(0, -2));
      return `H.ind(${JSON.stringify(name.slice(0, -2))}, ${xs()[0]}, ${at})`;
    }
    if (name === "경과틱수") {
      arity(name, 1, 1);
      const a = args[0];
      if (this.side === "cond") this.fail("a 경과틱수 condition cannot use 경과틱수()", e);
      if (a.type !== "str") return `H.elapsedOf(${this.#expr(a)})`;
      const k = this.shared.conditionNames.indexOf(a.value);
      if (k < 0) {
        const names = this.shared.conditionNames;
        const hint = suggest(a.value, names);
        this.fail(
          `unknown condition '${a.value}' for 경과틱수${hint ? `, did you mean '${hint}'?` : names.length ? ` (known: ${names.join(", ")})` : " (define it with --stom-cond name=expression)"}`,
          a,
        );
      }
      return `H.elapsed(${k})`;
    }
    if (name === "now" && isStock(this.shared.kind)) {
      arity(name, 0, 0);
      return "H.now()";
    }
    if (name === "now_utc" && !isStock(this.shared.kind)) {
      arity(name, 0, 0);
      return "H.now()";
    }
    if (BUILTINS.has(name)) {
      const v = xs();
      switch (name) {
        case "abs":
          arity(name, 1, 1);
          return `Math.abs(${v[0]})`;
        case "min":
        case "max":
          if (v.length === 0) this.fail(`${name}() needs at least one argument`, e);
          return `R.${name}([${v.join(", ")}], ${at})`;
        case "round":
          arity(name, 1, 2);
          return `R.round(${v[0]}, ${v[1] ?? "undefined"}, ${at})`;
        case "int":
        case "float":
          arity(name, 1, 1);
          return `R.${name}(${v[0]}, ${at})`;
        case "bool":
          arity(name, 1, 1);
          return `R.truthy(${v[0]})`;
        case "str":
          arity(name, 1, 1);
          return `R.str(${v[0]})`;
        case "len":
        case "sum":
          arity(name, 1, 1);
          return `R.${name}(${v[0]}, ${at})`;
        case "globals":
          arity(name, 0, 0);
          return "R.globals";
        case "timedelta_sec":
          arity(name, 1, 2);
          return `H.timedelta(${v[0]}, ${v[1] ?? "undefined"})`;
      }
    }
    const known = [
      ...Object.keys(this.#helpers),
      ...BUILTINS,
      "경과틱수",
      isStock(this.shared.kind) ? "now" : "now_utc",
      ...columnNames(this.shared.kind).map((c) => `${c}N`),
    ];
    const hint = suggest(name, known);
    return this.fail(`unknown function '${name}'${hint ? `, did you mean '${hint}'?` : ""}`, e);
  }

  #attr(e: Expr & { type: "attr" }): string {
    const obj = e.object;
    if (obj.type === "name" && obj.name === "self") {
      switch (e.name) {
        case "indexn":
          return "i";
        case "index":
          return "H.index";
        case "tick_count":
          return "H.len";
        case "code":
          return "H.code";
        case "name":
          return "H.name";
        case "vars":
          return this.fail("self.vars is read as self.vars[n]", e);
        default:
          return `H.load(${JSON.stringify(e.name)}, ${this.#at(e)})`;
      }
    }
    if (obj.type === "name" && obj.name === "math" && !this.locals.has("math")) {
      if (e.name === "pi") return "Math.PI";
      if (e.name === "e") return "Math.E";
      if (e.name === "inf") return "Infinity";
    }
    return this.fail(`attribute '.${e.name}' is not supported`, e);
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
        return `(V[${e.index}] ?? R.novar(${e.index}, ${this.#at(e)}))`;
      case "attr":
        return this.#attr(e);
      case "index":
        if (
          e.object.type === "attr" &&
          e.object.name === "indicator" &&
          e.object.object.type === "name" &&
          e.object.object.name === "self"
        )
          return `H.getIndicator(${this.#expr(e.index)}, ${this.#at(e)})`;
        return `R.index(${this.#expr(e.object)}, ${this.#expr(e.index)}, ${this.#at(e)})`;
      case "slice":
        return `R.slice(${this.#expr(e.object)}, ${e.lo ? this.#expr(e.lo) : "null"}, ${e.hi ? this.#expr(e.hi) : "null"}, ${this.#at(e)})`;
      case "list":
      case "tuple":
        return `[${e.items.map((x) => this.#expr(x)).join(", ")}]`;
      case "call":
        return this.#call(e);
      case "unary":
        if (e.op === "not")
          return isBoolean(e.operand)
            ? `(!${this.#expr(e.operand)})`
            : `(!R.truthy(${this.#expr(e.operand)}))`;
        return `(${e.op}${this.#expr(e.operand)})`;
      case "binary":
        return this.#binary(e);
      case "bool-op":
        return `(${e.operands.map((x) => this.#expr(x)).join(e.op === "and" ? " && " : " || ")})`;
      case "compare": {
        // operands are pure, so repeating the middle ones is safe
        const xs = e.operands.map((x) => this.#expr(x));
        const loose = e.operands.some((x) => x.type === "bool");
        const parts = e.ops.map((o, k) => {
          const [a, b] = [xs[k], xs[k + 1]];
          switch (o) {
            case "==":
              return `${a} ${loose ? "==" : "==="} ${b}`;
            case "!=":
              return `${a} ${loose ? "!=" : "!=="} ${b}`;
            case "in":
              return `R.contains(${b}, ${a}, ${this.#at(e)})`;
            case "not in":
              return `!R.contains(${b}, ${a}, ${this.#at(e)})`;
            case "is":
              return `${a} === ${b}`;
            case "is not":
              return `${a} !== ${b}`;
            default:
              return `${a} ${o} ${b}`;
          }
        });
        return `(${parts.join(" && ")})`;
      }
      case "ternary":
        return `(${this.#test(e.test)} ? ${this.#expr(e.yes)} : ${this.#expr(e.no)})`;
    }
  }

  #binary(e: Expr & { type: "binary" }): string {
    const a = this.#expr(e.left);
    const b = this.#expr(e.right);
    const numpy = this.#type(e.left) === "np" || this.#type(e.right) === "np";
    const at = this.#at(e);
    switch (e.op) {
      case "/":
        return numpy ? `(${a} / ${b})` : `R.div(${a}, ${b}, ${at})`;
      case "//":
        return `R.floordiv(${a}, ${b}, ${at}, ${numpy})`;
      case "%":
        return `R.mod(${a}, ${b}, ${at}, ${numpy})`;
      case "**":
        return `(${a} ** ${b})`;
      case "+":
        return isSequence(e.left) || isSequence(e.right) ? `R.add(${a}, ${b}, ${at})` : `(${a} + ${b})`;
      default:
        return `(${a} ${e.op} ${b})`;
    }
  }
}

const isBoolean = (e: Expr): boolean =>
  e.type === "compare" ||
  e.type === "bool" ||
  (e.type === "unary" && e.op === "not") ||
  (e.type === "bool-op" && e.operands.every(isBoolean));

const isSequence = (e: Expr): boolean =>
  e.type === "list" ||
  e.type === "tuple" ||
  e.type === "str" ||
  (e.type === "call" && e.callee.type === "name" && e.callee.name === "str");

function collectAssigned(stmts: readonly Stmt[], out: Map<string, Ty>): void {
  for (const s of stmts) {
    if (s.type === "assign") {
      if (!out.has(s.target)) out.set(s.target, "py");
    } else if (s.type === "if") {
      for (const b of s.branches) collectAssigned(b.body, out);
      if (s.otherwise) collectAssigned(s.otherwise, out);
    } else if (s.type === "try") {
      collectAssigned(s.body, out);
      if (s.handler) collectAssigned(s.handler, out);
      if (s.final) collectAssigned(s.final, out);
    }
  }
}

const mangle = (name: string): string => `$${name}`;

function recordVar(
  shared: Shared,
  s: Stmt & { type: "var-range" },
  file: string,
  form: "range" | "ga",
): void {
  const at = `${file}:${s.line}:${s.column}`;
  const prev = shared.vars.get(s.index) ?? { range: null, ga: null, best: s.best, at };
  if (form === "ga" || s.values.length !== 3) {
    prev.ga = [...s.values];
    if (!prev.range) prev.best = s.best;
  } else {
    const [start, end, step] = s.values;
    prev.range = [start, end, step];
    prev.best = s.best;
  }
  shared.vars.set(s.index, prev);
}

function compileFactory(body: string, columns: number): StomFactory {
  const decls = Array.from({ length: columns }, (_, k) => `c${k} = D[${k}]`).join(", ");
  const src = `"use strict";\n${columns ? `const ${decls};\n` : ""}return function (V, P) {\n    const i = H.i;\n${body}\n};`;
  return new Function("D", "H", "R", src) as StomFactory;
}

/**
 * Compiles a STOM buy text and sell text for STOM's backtest engine (backtest.ts), after STOM's own
 * rewriting (texts.ts). Each text becomes one JavaScript function (new Function, so it runs in the page
 * too) over the symbol's typed columns; helpers run per snapshot with STOM's window and rounding rules.
 *
 *     const p = compileStom(buyText, sellText, { kind: "stock_tick" });
 *     backtestStom(p, frames, { betting: 1_000_000 });
 */
export function compileStom(
  buyText: string,
  sellText: string,
  options: StomCompileOptions = {},
): StomProgram {
  const { buyFile = "buy", sellFile = "sell", kind = "stock_tick" } = options;
  const shared: Shared = {
    kind,
    extraColumns: options.extraColumns ?? [],
    columns: [],
    columnSlot: new Map(),
    helpers: [],
    conditionNames: Object.keys(options.conditions ?? {}),
    indicators: new Set(),
    vars: new Map(),
  };
  for (const [text, file, form] of [
    [options.vars, "vars", "range"],
    [options.gaVars, "ga_vars", "ga"],
  ] as const) {
    if (text === undefined) continue;
    for (const s of parseStom(text, file).body) {
      if (s.type !== "var-range")
        throw new StomSyntaxError(
          "a vars text holds only self.vars[n] = [[...], best] lines",
          s.line,
          s.column,
          file,
        );
      recordVar(shared, s, file, form);
    }
  }
  const buy = stomBuyText(buyText);
  const sell = stomSellText(sellText);
  const buySrc = new Gen("buy", buyFile, shared).program(parseStom(buy.text, buyFile));
  const sellSrc = new Gen("sell", sellFile, shared, sell.condLines).program(parseStom(sell.text, sellFile));
  const condSrc = Object.entries(options.conditions ?? {}).map(([name, text]) => {
    const file = `경과틱수 ${name}`;
    return new Gen("cond", file, shared).expression(parseStomExpr(text, file));
  });
  const warnings: string[] = [];
  const indicatorSettings = buy.indicatorLines.map(({ line, text }) => {
    const m = /^\s*self\.indicator\[\s*(['"])(.+?)\1\s*\]\s*=\s*(.+?)\s*(#.*)?$/.exec(text);
    if (!m) throw new StomSyntaxError("write self.indicator['NAME'] = value", line, 1, buyFile);
    if (!(STOM_INDICATOR_KEYS as readonly string[]).includes(m[2])) {
      const hint = suggest(m[2], STOM_INDICATOR_KEYS);
      warnings.push(
        `${buyFile}:${line}:1: self.indicator['${m[2]}'] is not a TA-Lib setting of STOM${hint ? ` (did you mean '${hint}'?)` : ""}; STOM ignores it`,
      );
    }
    const gen = new Gen("cond", buyFile, shared);
    // blank lines before it keep the error messages' line numbers
    const expr = parseStomExpr(`${"\n".repeat(line - 1)}${m[3]}`, buyFile);
    const value = new Function("V", "R", `"use strict"; return ${gen.value(expr)};`);
    const key = m[2];
    return (V: unknown) => [key, value(V, RUNTIME)] as [string, number];
  });
  const n = shared.columns.length;
  const vars = new Map<number, StomVar>();
  const params: Record<string, ParamSpec> = {};
  for (const index of [...shared.vars.keys()].sort((a, b) => a - b)) {
    const v = shared.vars.get(index) as NonNullable<ReturnType<typeof shared.vars.get>>;
    let values: number[];
    try {
      // optimiz.py's own value list (a step of 0 fixes the variable at its best)
      values = v.range ? stomVarValues([v.range, v.best], {}, index) : (v.ga ?? [v.best]);
    } catch (e) {
      const [file, line, column] = v.at.split(/:(?=\d+:\d+$)|:(?=\d+$)/);
      throw new StomSyntaxError((e as Error).message, Number(line), Number(column), file);
    }
    vars.set(index, { index, range: v.range, values, gaValues: v.ga, best: v.best });
    const lo = Math.min(...values, v.best);
    const hi = Math.max(...values, v.best);
    const step = v.range && v.range[2] !== 0 ? Math.abs(v.range[2]) : undefined;
    const integer = [...values, v.best].every(Number.isInteger);
    params[varParam(index)] = { default: v.best, min: lo, max: hi, ...(step ? { step } : {}), integer };
  }
  return Object.freeze({
    name: options.name ?? "stom",
    kind,
    columns: shared.columns,
    helpers: shared.helpers,
    conditionNames: shared.conditionNames,
    buy: compileFactory(buySrc, n),
    sell: compileFactory(sellSrc, n),
    conditions: condSrc.map((src) => compileFactory(src, n)),
    sellConditions: sell.conditions,
    indicatorSettings,
    indicators: [...shared.indicators],
    warnings,
    vars,
    params: Object.freeze(params),
    code: Object.freeze({ buy: buySrc, sell: sellSrc, conditions: condSrc }),
  });
}
