/** A problem in a STOM strategy text, located at its line and column (both 1-based). */
export class StomSyntaxError extends Error {
  readonly line: number;
  readonly column: number;
  readonly file: string;
  /** the message without the location prefix */
  readonly reason: string;

  constructor(reason: string, line: number, column: number, file = "<text>") {
    super(`${file}:${line}:${column}: ${reason}`);
    this.name = "StomSyntaxError";
    this.reason = reason;
    this.line = line;
    this.column = column;
    this.file = file;
  }
}
