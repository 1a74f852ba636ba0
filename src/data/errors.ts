/** An input problem that names where it is: file, line (1-based) and field when known. */
export class DataError extends Error {
  readonly file?: string;
  readonly line?: number;
  readonly field?: string;

  constructor(message: string, where: { file?: string; line?: number; field?: string } = {}) {
    const at = [where.file, where.line !== undefined ? `line ${where.line}` : undefined, where.field]
      .filter((x) => x !== undefined)
      .join(", ");
    super(at ? `${at}: ${message}` : message);
    this.name = "DataError";
    this.file = where.file;
    this.line = where.line;
    this.field = where.field;
  }
}
