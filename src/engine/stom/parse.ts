import type { Expr, Pos, Program, Stmt } from "./ast.ts";
import { StomSyntaxError } from "./errors.ts";
import { type Token, tokenize } from "./tokens.ts";

const COMPARE = new Set(["<", ">", "==", "!=", "<=", ">="]);
const ASSIGN = new Set(["=", "+=", "-=", "*=", "/="]);
// Python statements STOM texts may contain but this subset does not run
const UNSUPPORTED = new Set([
  "for",
  "while",
  "def",
  "class",
  "return",
  "import",
  "from",
  "lambda",
  "with",
  "global",
  "nonlocal",
  "del",
  "break",
  "continue",
  "yield",
  "raise",
  "assert",
]);
const RESERVED = new Set([
  "if",
  "elif",
  "else",
  "and",
  "or",
  "not",
  "in",
  "is",
  "pass",
  "try",
  "except",
  "finally",
  ...UNSUPPORTED,
]);

/**
 * Parses a STOM strategy text (the Python subset: assignments, if/elif/else, and/or/not, chained
 * comparisons, arithmetic, calls, self.vars[n], self.Buy()/self.Sell()) into an AST.
 * Errors are StomSyntaxError with the line and column of the offending token.
 */
export function parseStom(text: string, file = "<text>"): Program {
  return new Parser(tokenize(text, file), file).program();
}

class Parser {
  #k = 0;
  constructor(
    readonly tokens: Token[],
    readonly file: string,
  ) {}

  get #t(): Token {
    return this.tokens[this.#k];
  }

  #fail(message: string, at: Pos = this.#t): never {
    throw new StomSyntaxError(message, at.line, at.column, this.file);
  }

  #describe(t: Token): string {
    if (t.kind === "newline") return "end of line";
    if (t.kind === "eof") return "end of text";
    if (t.kind === "indent") return "indent";
    if (t.kind === "dedent") return "dedent";
    return `'${t.value}'`;
  }

  #isOp(value: string): boolean {
    return this.#t.kind === "op" && this.#t.value === value;
  }

  #isWord(value: string): boolean {
    return this.#t.kind === "name" && this.#t.value === value;
  }

  #expectOp(value: string): Token {
    if (!this.#isOp(value)) this.#fail(`expected '${value}', got ${this.#describe(this.#t)}`);
    return this.tokens[this.#k++];
  }

  #expectKind(kind: Token["kind"], what: string): Token {
    if (this.#t.kind !== kind) this.#fail(`expected ${what}, got ${this.#describe(this.#t)}`);
    return this.tokens[this.#k++];
  }

  lone(): Expr {
    const e = this.#expr();
    if (this.#t.kind === "newline") this.#k++;
    if (this.#t.kind !== "eof")
      this.#fail(`expected the end of the expression, got ${this.#describe(this.#t)}`);
    return e;
  }

  program(): Program {
    const body: Stmt[] = [];
    while (this.#t.kind !== "eof") {
      if (this.#t.kind === "indent") this.#fail("unexpected indent");
      body.push(...this.#statement());
    }
    return { file: this.file, body };
  }

  #statement(): Stmt[] {
    if (this.#isWord("if")) return [this.#if()];
    if (this.#isWord("try")) return [this.#try()];
    if (this.#isWord("except") || this.#isWord("finally"))
      this.#fail(`'${this.#t.value}' without a matching 'try'`);
    if (this.#isWord("elif") || this.#isWord("else"))
      this.#fail(`'${this.#t.value}' without a matching 'if'`);
    if (this.#t.kind === "name" && UNSUPPORTED.has(this.#t.value))
      this.#fail(
        `unsupported statement '${this.#t.value}' (STOM texts here use if/elif/else and assignments)`,
      );
    const stmt = this.#simple();
    this.#expectKind("newline", "end of line");
    return [stmt];
  }

  #simple(): Stmt {
    const t = this.#t;
    if (this.#isWord("pass")) {
      this.#k++;
      return { type: "pass", line: t.line, column: t.column };
    }
    const target = this.#exprList();
    if (this.#t.kind === "op" && ASSIGN.has(this.#t.value)) {
      const op = this.tokens[this.#k++].value;
      const value = this.#exprList();
      if (target.type === "var") return this.#range(target, value, op);
      const at = { line: target.line, column: target.column };
      if (isSelfTarget(target)) {
        if (op !== "=") this.#fail(`only '=' can assign to self.${selfName(target)}`, target);
        return { type: "store", target, value, ...at };
      }
      if (target.type !== "name")
        this.#fail("can only assign to a name, self.<name> or self.vars[n]", target);
      if (RESERVED.has(target.name)) this.#fail(`cannot assign to '${target.name}'`, target);
      return { type: "assign", target: target.name, op, value, ...at };
    }
    if (
      target.type === "call" &&
      target.callee.type === "attr" &&
      target.callee.object.type === "name" &&
      target.callee.object.name === "self" &&
      (target.callee.name === "Buy" || target.callee.name === "Sell")
    ) {
      return {
        type: "signal",
        side: target.callee.name === "Buy" ? "buy" : "sell",
        line: t.line,
        column: t.column,
      };
    }
    return { type: "expr", expr: target, line: t.line, column: t.column };
  }

  /** self.vars[n] = [[start, end, step], best] or STOM's GA form [[v1, v2, ...], best] */
  #range(target: Expr & { type: "var" }, value: Expr, op: string): Stmt {
    const shape = `write self.vars[${target.index}] = [[start, end, step], best] or [[v1, v2, ...], best]`;
    if (op !== "=") this.#fail(shape, target);
    const num = (e: Expr | undefined): number => {
      if (e?.type === "num") return e.value;
      if (e?.type === "unary" && e.op === "-" && e.operand.type === "num") return -e.operand.value;
      if (e?.type === "unary" && e.op === "+" && e.operand.type === "num") return e.operand.value;
      return this.#fail(`range of self.vars[${target.index}] must be numbers: ${shape}`, e ?? value);
    };
    if (value.type !== "list" || value.items.length !== 2) this.#fail(shape, value);
    const [range, best] = value.items;
    if (range.type !== "list" || range.items.length === 0) this.#fail(shape, range);
    const values = range.items.map((e) => num(e));
    return {
      type: "var-range",
      index: target.index,
      values,
      start: values[0],
      end: values[1] ?? values[0],
      step: values[2] ?? 0,
      best: num(best),
      line: target.line,
      column: target.column,
    };
  }

  #suite(): Stmt[] {
    if (this.#t.kind !== "newline") {
      const s = this.#simple();
      this.#expectKind("newline", "end of line");
      return [s];
    }
    this.#k++;
    this.#expectKind("indent", "an indented block");
    const body: Stmt[] = [];
    const kind = (): Token["kind"] => this.#t.kind;
    while (kind() !== "dedent" && kind() !== "eof") body.push(...this.#statement());
    if (kind() === "dedent") this.#k++;
    return body;
  }

  #if(): Stmt {
    const start = this.tokens[this.#k++];
    const branches: { test: Expr; body: Stmt[] }[] = [];
    let test = this.#expr();
    this.#expectOp(":");
    branches.push({ test, body: this.#suite() });
    let otherwise: Stmt[] | null = null;
    for (;;) {
      if (this.#isWord("elif")) {
        this.#k++;
        test = this.#expr();
        this.#expectOp(":");
        branches.push({ test, body: this.#suite() });
      } else if (this.#isWord("else")) {
        this.#k++;
        this.#expectOp(":");
        otherwise = this.#suite();
        break;
      } else break;
    }
    return { type: "if", branches, otherwise, line: start.line, column: start.column };
  }

  #try(): Stmt {
    const start = this.tokens[this.#k++];
    this.#expectOp(":");
    const body = this.#suite();
    let handler: Stmt[] | null = null;
    let final: Stmt[] | null = null;
    while (this.#isWord("except")) {
      this.#k++;
      // except Exception: / except (A, B) as e: the kind of error is not told apart here
      if (!this.#isOp(":")) this.#expr();
      if (this.#isWord("as")) {
        this.#k++;
        this.#expectKind("name", "a name after 'as'");
      }
      this.#expectOp(":");
      const block = this.#suite();
      handler ??= block;
    }
    if (this.#isWord("else")) this.#fail("try ... else is not supported");
    if (this.#isWord("finally")) {
      this.#k++;
      this.#expectOp(":");
      final = this.#suite();
    }
    if (!handler && !final) this.#fail("expected 'except' or 'finally'");
    return { type: "try", body, handler, final, line: start.line, column: start.column };
  }

  /** An expression, or a tuple written without brackets: `a, b`. */
  #exprList(): Expr {
    const first = this.#expr();
    if (!this.#isOp(",")) return first;
    const items = [first];
    while (this.#isOp(",")) {
      this.#k++;
      if (this.#t.kind === "newline" || (this.#t.kind === "op" && ASSIGN.has(this.#t.value))) break;
      items.push(this.#expr());
    }
    return { type: "tuple", items, line: first.line, column: first.column };
  }

  #expr(): Expr {
    const e = this.#or();
    if (this.#isWord("if")) {
      this.#k++;
      const test = this.#or();
      if (!this.#isWord("else")) this.#fail(`expected 'else', got ${this.#describe(this.#t)}`);
      this.#k++;
      const otherwise = this.#expr();
      return { type: "ternary", test, yes: e, no: otherwise, line: e.line, column: e.column };
    }
    return e;
  }

  #or(): Expr {
    const first = this.#and();
    const operands = [first];
    while (this.#isWord("or")) {
      this.#k++;
      operands.push(this.#and());
    }
    return operands.length === 1
      ? first
      : { type: "bool-op", op: "or", operands, line: first.line, column: first.column };
  }

  #and(): Expr {
    const first = this.#not();
    const operands = [first];
    while (this.#isWord("and")) {
      this.#k++;
      operands.push(this.#not());
    }
    return operands.length === 1
      ? first
      : { type: "bool-op", op: "and", operands, line: first.line, column: first.column };
  }

  #not(): Expr {
    if (this.#isWord("not")) {
      const t = this.tokens[this.#k++];
      return { type: "unary", op: "not", operand: this.#not(), line: t.line, column: t.column };
    }
    return this.#compare();
  }

  #compare(): Expr {
    const first = this.#arith();
    const ops: string[] = [];
    const operands = [first];
    for (;;) {
      if (this.#t.kind === "op" && COMPARE.has(this.#t.value)) ops.push(this.tokens[this.#k++].value);
      else if (this.#isWord("in")) {
        this.#k++;
        ops.push("in");
      } else if (this.#isWord("not") && this.tokens[this.#k + 1]?.value === "in") {
        this.#k += 2;
        ops.push("not in");
      } else if (this.#isWord("is")) {
        this.#k++;
        if (this.#isWord("not")) {
          this.#k++;
          ops.push("is not");
        } else ops.push("is");
      } else break;
      operands.push(this.#arith());
    }
    return ops.length === 0
      ? first
      : { type: "compare", ops, operands, line: first.line, column: first.column };
  }

  #arith(): Expr {
    let left = this.#term();
    while (this.#isOp("+") || this.#isOp("-")) {
      const op = this.tokens[this.#k++].value;
      left = { type: "binary", op, left, right: this.#term(), line: left.line, column: left.column };
    }
    return left;
  }

  #term(): Expr {
    let left = this.#factor();
    while (this.#isOp("*") || this.#isOp("/") || this.#isOp("//") || this.#isOp("%")) {
      const op = this.tokens[this.#k++].value;
      left = { type: "binary", op, left, right: this.#factor(), line: left.line, column: left.column };
    }
    return left;
  }

  #factor(): Expr {
    if (this.#isOp("-") || this.#isOp("+")) {
      const t = this.tokens[this.#k++];
      return {
        type: "unary",
        op: t.value as "-" | "+",
        operand: this.#factor(),
        line: t.line,
        column: t.column,
      };
    }
    return this.#power();
  }

  #power(): Expr {
    const base = this.#postfix();
    if (this.#isOp("**")) {
      this.#k++;
      return {
        type: "binary",
        op: "**",
        left: base,
        right: this.#factor(),
        line: base.line,
        column: base.column,
      };
    }
    return base;
  }

  #postfix(): Expr {
    let e = this.#atom();
    for (;;) {
      if (this.#isOp("(")) {
        this.#k++;
        const args: Expr[] = [];
        while (!this.#isOp(")")) {
          if (
            this.#t.kind === "name" &&
            this.tokens[this.#k + 1]?.value === "=" &&
            this.tokens[this.#k + 1].kind === "op"
          )
            this.#fail("keyword arguments are not supported");
          args.push(this.#expr());
          if (!this.#isOp(",")) break;
          this.#k++;
        }
        this.#expectOp(")");
        e = { type: "call", callee: e, args, line: e.line, column: e.column };
      } else if (this.#isOp("[")) {
        const open = this.tokens[this.#k++];
        const items: Expr[] = [];
        let sliced = false;
        for (;;) {
          const item = this.#subscript(e);
          sliced ||= item.type === "slice";
          items.push(item);
          if (!this.#isOp(",")) break;
          this.#k++;
        }
        this.#expectOp("]");
        if (items.length === 1 && sliced) {
          e = items[0];
          continue;
        }
        // numpy's arr[i, j] and arr[a:b, j]: a tuple index
        const index: Expr =
          items.length === 1 ? items[0] : { type: "tuple", items, line: open.line, column: open.column };
        if (e.type === "attr" && e.name === "vars" && e.object.type === "name" && e.object.name === "self") {
          if (index.type !== "num" || !Number.isInteger(index.value) || index.value < 0)
            this.#fail("self.vars takes a whole number index, like self.vars[0]", index);
          e = { type: "var", index: index.value, line: e.line, column: e.column };
        } else e = { type: "index", object: e, index, line: e.line, column: e.column };
      } else if (this.#isOp(".")) {
        this.#k++;
        const name = this.#expectKind("name", "a name after '.'");
        e = { type: "attr", object: e, name: name.value, line: e.line, column: e.column };
      } else return e;
    }
  }

  /** One item of a subscript: an expression, or a slice `lo:hi` of `object`. */
  #subscript(object: Expr): Expr {
    const lo = this.#isOp(":") ? null : this.#expr();
    if (!this.#isOp(":")) return lo as Expr;
    this.#k++;
    const hi = this.#isOp("]") || this.#isOp(",") ? null : this.#expr();
    if (this.#isOp(":")) this.#fail("slice steps are not supported");
    return { type: "slice", object, lo, hi, line: object.line, column: object.column };
  }

  #atom(): Expr {
    const t = this.#t;
    const at = { line: t.line, column: t.column };
    if (t.kind === "number") {
      this.#k++;
      return { type: "num", value: Number(t.value), ...at };
    }
    if (t.kind === "string") {
      this.#k++;
      return { type: "str", value: t.value, ...at };
    }
    if (t.kind === "name") {
      if (t.value === "True" || t.value === "False") {
        this.#k++;
        return { type: "bool", value: t.value === "True", ...at };
      }
      if (t.value === "None") {
        this.#k++;
        return { type: "none", ...at };
      }
      if (RESERVED.has(t.value)) this.#fail(`unexpected '${t.value}'`);
      this.#k++;
      return { type: "name", name: t.value, ...at };
    }
    if (this.#isOp("(")) {
      this.#k++;
      if (this.#isOp(")")) {
        this.#k++;
        return { type: "tuple", items: [], ...at };
      }
      const e = this.#expr();
      if (this.#isOp(",")) {
        const items = [e];
        while (this.#isOp(",")) {
          this.#k++;
          if (this.#isOp(")")) break;
          items.push(this.#expr());
        }
        this.#expectOp(")");
        return { type: "tuple", items, ...at };
      }
      this.#expectOp(")");
      return e;
    }
    if (this.#isOp("[")) {
      this.#k++;
      const items: Expr[] = [];
      while (!this.#isOp("]")) {
        items.push(this.#expr());
        if (!this.#isOp(",")) break;
        this.#k++;
      }
      this.#expectOp("]");
      return { type: "list", items, ...at };
    }
    return this.#fail(`expected an expression, got ${this.#describe(t)}`);
  }
}

/** self.x or self.x[k]: a name on STOM's engine object that a text may set. */
function isSelfTarget(e: Expr): boolean {
  if (e.type === "attr") return e.object.type === "name" && e.object.name === "self";
  if (e.type === "index") return isSelfTarget(e.object);
  return false;
}

function selfName(e: Expr): string {
  return e.type === "attr" ? e.name : e.type === "index" ? selfName(e.object) : "";
}

/** Parses one expression (a STOM 경과틱수 condition, a helper argument typed in a form). */
export function parseStomExpr(text: string, file = "<expr>"): Expr {
  const p = new Parser(tokenize(text, file), file);
  return p.lone();
}
