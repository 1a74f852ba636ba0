import type { Frame } from "../frame.ts";

/**
 * Where each row of a freshly read frame came from, kept beside the frame (not in it) so that
 * validation can name source lines; it disappears with the frame once validation is done.
 * `line` is the 1-based line in the file; for JSON arrays, the 1-based element index.
 * `symbols`/`symbolCode` carry a per-row symbol column, dictionary-encoded, when the source has one.
 */
export interface Source {
  readonly file: string;
  readonly line: Int32Array;
  readonly symbols?: readonly string[];
  readonly symbolCode?: Int32Array;
}

const sources = new WeakMap<Frame, Source>();

export function attachSource(frame: Frame, source: Source): Frame {
  sources.set(frame, source);
  return frame;
}

export function sourceOf(frame: Frame): Source | undefined {
  return sources.get(frame);
}

/** Dictionary-encodes a per-row string column (symbols) as it is read. */
export class SymbolColumn {
  readonly names: string[] = [];
  readonly code: Int32Array;
  private last = -1;

  constructor(capacity: number) {
    this.code = new Int32Array(capacity);
  }

  /** A copy with room for `capacity` rows (a parser that guessed its row count too low). */
  grow(capacity: number): SymbolColumn {
    const out = new SymbolColumn(capacity);
    out.code.set(this.code);
    out.names.push(...this.names);
    out.last = this.last;
    return out;
  }

  set(row: number, name: string): void {
    if (this.last < 0 || this.names[this.last] !== name) {
      let i = this.names.indexOf(name);
      if (i < 0) i = this.names.push(name) - 1;
      this.last = i;
    }
    this.code[row] = this.last;
  }
}
