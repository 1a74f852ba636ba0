/**
 * A tiny expression language for constraints over parameters ("slow > 2 * fast") and bounds over
 * stats ("trades >= 10 and maxDrawdownPct > -30"): names, numbers, + - * / and unary minus,
 * parentheses, comparisons (< <= > >= == !=), and/or/not (also && || !). It compiles to a closure
 * without eval, so a command-line string can never run code.
 */
export interface Expr {
  readonly source: string;
  /** every name the expression reads */
  readonly names: readonly string[];
  evaluate(vars: Readonly<Record<string, number>>): number | boolean;
}

type Token =
  | { kind: "num"; value: number; at: number }
  | { kind: "name"; value: string; at: number }
  | { kind: "op"; value: string; at: number };

const OPS = ["<=", ">=", "==", "!=", "&&", "||", "<", ">", "+", "-", "*", "/", "(", ")", "!"];

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let k = 0;
  while (k < src.length) {
    const c = src[k];
    if (/\s/.test(c)) {
      k++;
      continue;
    }
    const num = /^(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?/i.exec(src.slice(k));
    if (num) {
      out.push({ kind: "num", value: Number(num[0]), at: k });
      k += num[0].length;
      continue;
    }
    const name = /^[\p{L}_][\p{L}\p{N}_]*/u.exec(src.slice(k));
    if (name) {
      const word = name[0];
      const lower = word.toLowerCase();
      if (lower === "and") out.push({ kind: "op", value: "&&", at: k });
      else if (lower === "or") out.push({ kind: "op", value: "||", at: k });
      else if (lower === "not") out.push({ kind: "op", value: "!", at: k });
      else out.push({ kind: "name", value: word, at: k });
      k += word.length;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, k)) ?? (c === "=" ? "==" : undefined);
    if (!op) throw new Error(`invalid character '${c}' at ${k} in expression: ${src}`);
    out.push({ kind: "op", value: op, at: k });
    k += op === "==" && c === "=" && src[k + 1] !== "=" ? 1 : op.length;
  }
  return out;
}

type Node = (vars: Readonly<Record<string, number>>) => number | boolean;

/**
 * Parses an expression; unknown names (when `known` is given) fail with a "did you mean".
 *
 *     parseExpr("slow > 2 * fast").evaluate({ fast: 10, slow: 30 }) // true
 */
export function parseExpr(
  source: string,
  { known, suggest }: { known?: readonly string[]; suggest?: (name: string) => string | undefined } = {},
): Expr {
  const tokens = tokenize(source);
  const names = new Set<string>();
  let pos = 0;
  const peek = () => tokens[pos];
  const isOp = (v: string) => peek()?.kind === "op" && peek().value === v;
  const fail = (what: string): never => {
    const t = peek();
    throw new Error(`${what} at ${t ? t.at : source.length} in expression: ${source}`);
  };

  // precedence, loosest first: || , && , comparison , + - , * / , unary
  const or = (): Node => {
    let left = and();
    while (isOp("||")) {
      pos++;
      const a = left;
      const b = and();
      left = (v) => Boolean(a(v)) || Boolean(b(v));
    }
    return left;
  };
  const and = (): Node => {
    let left = cmp();
    while (isOp("&&")) {
      pos++;
      const a = left;
      const b = cmp();
      left = (v) => Boolean(a(v)) && Boolean(b(v));
    }
    return left;
  };
  const CMP: Record<string, (a: number, b: number) => boolean> = {
    "<": (a, b) => a < b,
    "<=": (a, b) => a <= b,
    ">": (a, b) => a > b,
    ">=": (a, b) => a >= b,
    "==": (a, b) => a === b,
    "!=": (a, b) => a !== b,
  };
  const cmp = (): Node => {
    let left = sum();
    while (peek()?.kind === "op" && peek().value in CMP) {
      const f = CMP[peek().value];
      pos++;
      const a = left;
      const b = sum();
      left = (v) => f(Number(a(v)), Number(b(v)));
    }
    return left;
  };
  const sum = (): Node => {
    let left = product();
    while (isOp("+") || isOp("-")) {
      const minus = peek().value === "-";
      pos++;
      const a = left;
      const b = product();
      left = minus ? (v) => Number(a(v)) - Number(b(v)) : (v) => Number(a(v)) + Number(b(v));
    }
    return left;
  };
  const product = (): Node => {
    let left = unary();
    while (isOp("*") || isOp("/")) {
      const div = peek().value === "/";
      pos++;
      const a = left;
      const b = unary();
      left = div ? (v) => Number(a(v)) / Number(b(v)) : (v) => Number(a(v)) * Number(b(v));
    }
    return left;
  };
  const unary = (): Node => {
    if (isOp("-")) {
      pos++;
      const a = unary();
      return (v) => -Number(a(v));
    }
    if (isOp("+")) {
      pos++;
      return unary();
    }
    if (isOp("!")) {
      pos++;
      const a = unary();
      return (v) => !a(v);
    }
    return atom();
  };
  const atom = (): Node => {
    const t = peek();
    if (!t) return fail("unexpected end");
    if (t.kind === "num") {
      pos++;
      const x = t.value;
      return () => x;
    }
    if (t.kind === "name") {
      pos++;
      const name = t.value;
      if (known && !known.includes(name)) {
        const hint = suggest?.(name);
        throw new Error(
          `unknown name '${name}' in expression: ${source}${hint ? `, did you mean '${hint}'?` : ` (known: ${known.join(", ")})`}`,
        );
      }
      names.add(name);
      return (v) => {
        const x = v[name];
        if (x === undefined) throw new Error(`no value for '${name}' in expression: ${source}`);
        return x;
      };
    }
    if (t.value === "(") {
      pos++;
      const inner = or();
      if (!isOp(")")) fail("expected ')'");
      pos++;
      return inner;
    }
    return fail(`unexpected '${t.value}'`);
  };

  if (!tokens.length) throw new Error("empty expression");
  const root = or();
  if (pos < tokens.length) fail(`unexpected '${peek().value}'`);
  return Object.freeze({ source, names: [...names], evaluate: root });
}
