export type { Expr, Pos, Program, Stmt } from "./ast.ts";
export {
  compileStom,
  type StomCompileOptions,
  type StomParamSpecs,
  type StomState,
  type StomStrategy,
  varParam,
} from "./compile.ts";
export { StomSyntaxError } from "./errors.ts";
export * from "./layouts.ts";
export {
  BUILTINS,
  DERIVED_NAMES,
  previousColumn,
  SELL_NAMES,
  STOM_COLUMN_NAMES,
  WINDOW_HELPERS,
} from "./names.ts";
export { parseStom, parseStomExpr } from "./parse.ts";
export { stomRunner } from "./runner.ts";
export { type Token, type TokenKind, tokenize } from "./tokens.ts";
