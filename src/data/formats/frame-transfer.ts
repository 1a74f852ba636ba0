import { DataError } from "../errors.ts";
import { type Column, type Frame, type Kind, makeFrame } from "../frame.ts";
import { attachSource, sourceOf } from "./source.ts";

/** A frame and its Source as a worker posts them: typed arrays travel by transfer, not by copy. */
export interface PackedFrame {
  readonly kind: Kind;
  readonly market: string;
  readonly symbol: string;
  readonly timeframe: string;
  readonly tz: string;
  readonly columns: Record<string, Column>;
  readonly source?: {
    readonly file: string;
    readonly line: Int32Array;
    readonly symbols?: readonly string[];
    readonly symbolCode?: Int32Array;
  };
}

/** A parse error as a worker posts it; DataError keeps its file, line and field. */
export interface PackedError {
  readonly message: string;
  readonly data: boolean;
  readonly file?: string;
  readonly line?: number;
  readonly field?: string;
}

/** The frame's pieces and the buffers to transfer (each once: a buffer listed twice is an error). */
export function packFrame(frame: Frame): { packed: PackedFrame; transfer: ArrayBuffer[] } {
  const buffers = new Set<ArrayBuffer>();
  const add = (a: unknown) => {
    if (ArrayBuffer.isView(a) && a.buffer instanceof ArrayBuffer) buffers.add(a.buffer);
  };
  for (const c of Object.values(frame.columns)) add(c);
  const source = sourceOf(frame);
  if (source) {
    add(source.line);
    add(source.symbolCode);
  }
  const { kind, market, symbol, timeframe, tz } = frame;
  const packed: PackedFrame = { kind, market, symbol, timeframe, tz, columns: { ...frame.columns }, source };
  return { packed, transfer: [...buffers] };
}

/** The frame again, with its Source attached so validation names source lines. */
export function unpackFrame(p: PackedFrame): Frame {
  const frame = makeFrame({
    kind: p.kind,
    market: p.market,
    symbol: p.symbol,
    timeframe: p.timeframe,
    tz: p.tz,
    columns: p.columns,
  });
  return p.source ? attachSource(frame, p.source) : frame;
}

export function packError(e: unknown): PackedError {
  if (e instanceof DataError)
    return { message: e.message, data: true, file: e.file, line: e.line, field: e.field };
  return { message: e instanceof Error ? e.message : String(e), data: false };
}

/** The error as it was thrown in the worker (the same message, file, line and field). */
export function unpackError(p: PackedError): Error {
  if (!p.data) return new Error(p.message);
  // the message already names file, line and field: set them beside it, not into it again
  return Object.assign(new DataError(p.message), { file: p.file, line: p.line, field: p.field });
}
