import { StomSyntaxError } from "./errors.ts";

export type TokenKind = "name" | "number" | "string" | "op" | "newline" | "indent" | "dedent" | "eof";

export interface Token {
  readonly kind: TokenKind;
  readonly value: string;
  readonly line: number;
  readonly column: number;
}

// longest first, so ">=" wins over ">"
const OPERATORS = [
  "**",
  "//",
  "==",
  "!=",
  "<=",
  ">=",
  "+=",
  "-=",
  "*=",
  "/=",
  "<",
  ">",
  "=",
  "+",
  "-",
  "*",
  "/",
  "%",
  "(",
  ")",
  "[",
  "]",
  ",",
  ":",
  ".",
];

const isNameStart = (c: string) => /[\p{L}_]/u.test(c);
const isNamePart = (c: string) => /[\p{L}\p{N}_]/u.test(c);

/**
 * Python's tokenizer for the subset STOM texts use: names (Hangul included), numbers, quoted strings,
 * operators, comments, INDENT/DEDENT from leading spaces, and implicit line joining inside brackets
 * and after a backslash. Tabs count as 8 columns of indent, as in Python.
 */
export function tokenize(text: string, file = "<text>"): Token[] {
  const out: Token[] = [];
  const indents = [0];
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  const open: Token[] = [];
  let continued = false;
  for (let ln = 0; ln < lines.length; ln++) {
    const src = lines[ln];
    const line = ln + 1;
    let pos = 0;
    if (open.length === 0 && !continued) {
      let width = 0;
      while (pos < src.length && (src[pos] === " " || src[pos] === "\t")) {
        width = src[pos] === "\t" ? (Math.floor(width / 8) + 1) * 8 : width + 1;
        pos++;
      }
      // blank and comment-only lines do not change the indentation
      if (pos >= src.length || src[pos] === "#") continue;
      if (width > indents[indents.length - 1]) {
        indents.push(width);
        out.push({ kind: "indent", value: "", line, column: 1 });
      } else {
        while (width < indents[indents.length - 1]) {
          indents.pop();
          out.push({ kind: "dedent", value: "", line, column: pos + 1 });
        }
        if (width !== indents[indents.length - 1])
          throw new StomSyntaxError(
            "unindent does not match any outer indentation level",
            line,
            pos + 1,
            file,
          );
      }
    }
    continued = false;
    let emitted = false;
    while (pos < src.length) {
      const c = src[pos];
      const column = pos + 1;
      if (c === " " || c === "\t") {
        pos++;
      } else if (c === "#") {
        break;
      } else if (c === "\\" && pos === src.trimEnd().length - 1) {
        continued = true;
        break;
      } else if (isNameStart(c)) {
        let end = pos + 1;
        while (end < src.length && isNamePart(src[end])) end++;
        out.push({ kind: "name", value: src.slice(pos, end), line, column });
        pos = end;
      } else if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(src[pos + 1] ?? ""))) {
        const m = /^(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?/.exec(src.slice(pos));
        const raw = m ? m[0] : c;
        if (isNamePart(src[pos + raw.length] ?? ""))
          throw new StomSyntaxError(
            `invalid number: ${src.slice(pos, pos + raw.length + 1)}`,
            line,
            column,
            file,
          );
        out.push({ kind: "number", value: raw.replace(/_/g, ""), line, column });
        pos += raw.length;
      } else if (c === "'" || c === '"') {
        let end = pos + 1;
        let value = "";
        while (end < src.length && src[end] !== c) {
          if (src[end] === "\\" && end + 1 < src.length) end++;
          value += src[end];
          end++;
        }
        if (end >= src.length) throw new StomSyntaxError("unterminated string", line, column, file);
        out.push({ kind: "string", value, line, column });
        pos = end + 1;
      } else {
        const op = OPERATORS.find((o) => src.startsWith(o, pos));
        if (!op) throw new StomSyntaxError(`unexpected character '${c}'`, line, column, file);
        const token: Token = { kind: "op", value: op, line, column };
        if (op === "(" || op === "[") open.push(token);
        else if (op === ")" || op === "]") {
          const o = open.pop();
          if (!o || (o.value === "(") !== (op === ")"))
            throw new StomSyntaxError(`unmatched '${op}'`, line, column, file);
        }
        out.push(token);
        pos += op.length;
      }
      emitted = true;
    }
    if (emitted && open.length === 0 && !continued)
      out.push({ kind: "newline", value: "", line, column: src.length + 1 });
  }
  const unclosed = open.pop();
  if (unclosed)
    throw new StomSyntaxError(`unclosed '${unclosed.value}'`, unclosed.line, unclosed.column, file);
  const end = lines.length;
  if (out.length > 0 && out[out.length - 1].kind !== "newline" && out[out.length - 1].kind !== "dedent")
    out.push({ kind: "newline", value: "", line: end, column: 1 });
  while (indents.length > 1) {
    indents.pop();
    out.push({ kind: "dedent", value: "", line: end, column: 1 });
  }
  out.push({ kind: "eof", value: "", line: end, column: 1 });
  return out;
}
