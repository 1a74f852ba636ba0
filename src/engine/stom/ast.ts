/** Where a node starts in the text (1-based). */
export interface Pos {
  readonly line: number;
  readonly column: number;
}

export type Expr =
  | ({ readonly type: "num"; readonly value: number } & Pos)
  | ({ readonly type: "str"; readonly value: string } & Pos)
  | ({ readonly type: "bool"; readonly value: boolean } & Pos)
  | ({ readonly type: "none" } & Pos)
  | ({ readonly type: "name"; readonly name: string } & Pos)
  /** self.vars[n] */
  | ({ readonly type: "var"; readonly index: number } & Pos)
  | ({ readonly type: "attr"; readonly object: Expr; readonly name: string } & Pos)
  | ({ readonly type: "index"; readonly object: Expr; readonly index: Expr } & Pos)
  | ({ readonly type: "list"; readonly items: readonly Expr[] } & Pos)
  | ({ readonly type: "tuple"; readonly items: readonly Expr[] } & Pos)
  /** x[lo:hi] (Python's slice; a step is not supported) */
  | ({
      readonly type: "slice";
      readonly object: Expr;
      readonly lo: Expr | null;
      readonly hi: Expr | null;
    } & Pos)
  | ({ readonly type: "call"; readonly callee: Expr; readonly args: readonly Expr[] } & Pos)
  | ({ readonly type: "unary"; readonly op: "-" | "+" | "not"; readonly operand: Expr } & Pos)
  | ({ readonly type: "binary"; readonly op: string; readonly left: Expr; readonly right: Expr } & Pos)
  | ({ readonly type: "bool-op"; readonly op: "and" | "or"; readonly operands: readonly Expr[] } & Pos)
  /** a < b <= c, x in xs, x is None: operands.length === ops.length + 1 */
  | ({ readonly type: "compare"; readonly ops: readonly string[]; readonly operands: readonly Expr[] } & Pos)
  | ({ readonly type: "ternary"; readonly test: Expr; readonly yes: Expr; readonly no: Expr } & Pos);

export type Stmt =
  | ({ readonly type: "assign"; readonly target: string; readonly op: string; readonly value: Expr } & Pos)
  /**
   * self.vars[n] = [[start, end, step], best] (STOM's 최적화 범위) or [[v1, v2, ...], best] (its GA form):
   * `values` holds the inner list as written, start/end/step its first three items.
   */
  | ({
      readonly type: "var-range";
      readonly index: number;
      readonly values: readonly number[];
      readonly start: number;
      readonly end: number;
      readonly step: number;
      readonly best: number;
    } & Pos)
  /** self.<name> = value or self.<name>[key] = value: STOM's engine object, kept per symbol */
  | ({ readonly type: "store"; readonly target: Expr; readonly value: Expr } & Pos)
  /** a bare expression (a call, usually), evaluated for its effect */
  | ({ readonly type: "expr"; readonly expr: Expr } & Pos)
  /** try: ... except: ... (any error of the body runs the handler, as a bare except does) */
  | ({
      readonly type: "try";
      readonly body: readonly Stmt[];
      readonly handler: readonly Stmt[] | null;
      readonly final: readonly Stmt[] | null;
    } & Pos)
  | ({
      readonly type: "if";
      readonly branches: readonly { test: Expr; body: readonly Stmt[] }[];
      readonly otherwise: readonly Stmt[] | null;
    } & Pos)
  /** self.Buy(...) / self.Sell(...): the order signal; its arguments are STOM's plumbing and ignored */
  | ({ readonly type: "signal"; readonly side: "buy" | "sell" } & Pos)
  | ({ readonly type: "pass" } & Pos);

export interface Program {
  readonly file: string;
  readonly body: readonly Stmt[];
}
