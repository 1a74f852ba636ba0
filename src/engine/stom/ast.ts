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
  | ({ readonly type: "call"; readonly callee: Expr; readonly args: readonly Expr[] } & Pos)
  | ({ readonly type: "unary"; readonly op: "-" | "+" | "not"; readonly operand: Expr } & Pos)
  | ({ readonly type: "binary"; readonly op: string; readonly left: Expr; readonly right: Expr } & Pos)
  | ({ readonly type: "bool-op"; readonly op: "and" | "or"; readonly operands: readonly Expr[] } & Pos)
  /** a < b <= c: operands.length === ops.length + 1 */
  | ({ readonly type: "compare"; readonly ops: readonly string[]; readonly operands: readonly Expr[] } & Pos)
  | ({ readonly type: "ternary"; readonly test: Expr; readonly yes: Expr; readonly no: Expr } & Pos);

export type Stmt =
  | ({ readonly type: "assign"; readonly target: string; readonly op: string; readonly value: Expr } & Pos)
  /** self.vars[n] = [[start, end, step], best] */
  | ({
      readonly type: "var-range";
      readonly index: number;
      readonly start: number;
      readonly end: number;
      readonly step: number;
      readonly best: number;
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
