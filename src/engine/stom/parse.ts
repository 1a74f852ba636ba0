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
  "try",
  "with",
  "global",
  "del",
  "break",
  "continue",
  "yield",
  "raise",
  "assert",
]);
const RESERVED = new Set(["if", "elif", "else", "and", "or", "not", "in", "is", "pass", ...UNSUPPORTED]);

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
    const target = this.#expr();
    if (this.#t.kind === "op" && ASSIGN.has(this.#t.value)) {
      const op = this.tokens[this.#k++].value;
      const value = this.#expr();
      if (target.type === "var") return this.#range(target, value, op);
      if (target.type !== "name") this.#fail("can only assign to a name or self.vars[n]", target);
      if (RESERVED.has(target.name)) this.#fail(`cannot assign to '${target.name}'`, target);
      return { type: "assign", target: target.name, op, value, line: target.line, column: target.column };
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
    return this.#fail("a statement must be an assignment, an if, self.Buy() or self.Sell()", t);
  }

  /** self.vars[n] = [[start, end, step], best] */
  #range(target: Expr & { type: "var" }, value: Expr, op: string): Stmt {
    const shape = `write self.vars[${target.index}] = [[start, end, step], best]`;
    if (op !== "=") this.#fail(shape, target);
    const num = (e: Expr | undefined): number => {
      if (e?.type === "num") return e.value;
      if (e?.type === "unary" && e.op === "-" && e.operand.type === "num") return -e.operand.value;
      if (e?.type === "unary" && e.op === "+" && e.operand.type === "num") return e.operand.value;
      return this.#fail(`range of self.vars[${target.index}] must be numbers: ${shape}`, e ?? value);
    };
    if (value.type !== "list" || value.items.length !== 2) this.#fail(shape, value);
    const [range, best] = value.items;
    if (range.type !== "list" || range.items.length !== 3) this.#fail(shape, range);
    return {
      type: "var-range",
      index: target.index,
      start: num(range.items[0]),
      end: num(range.items[1]),
      step: num(range.items[2]),
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
    while (this.#t.kind === "op" && COMPARE.has(this.#t.value)) {
      ops.push(this.tokens[this.#k++].value);
      operands.push(this.#arith());
    }
    if (this.#isWord("in") || this.#isWord("is"))
      this.#fail(`'${this.#t.value}' is not supported in STOM texts here`);
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
        this.#k++;
        const index = this.#expr();
        this.#expectOp("]");
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
      const e = this.#expr();
      if (this.#isOp(",")) this.#fail("tuples are not supported");
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

/** Parses one expression (a STOM 경과틱수 condition, a helper argument typed in a form). */
export function parseStomExpr(text: string, file = "<expr>"): Expr {
  const p = new Parser(tokenize(text, file), file);
  return p.lone();
}
