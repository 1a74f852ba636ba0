import { DataError } from "../errors.ts";
import { readHead } from "./files.ts";
import type { Format } from "./format.ts";
import { FORMATS } from "./registry.ts";

/** "  name  description" lines for every format, for help texts and errors. */
export function listFormats(formats: readonly Format[] = FORMATS): string {
  const width = Math.max(...formats.map((f) => f.name.length));
  return formats.map((f) => `  ${f.name.padEnd(width)}  ${f.description}`).join("\n");
}

/** The format called `name`; an unknown name is an error listing the formats. */
export function formatByName(name: string, formats: readonly Format[] = FORMATS): Format {
  const format = formats.find((f) => f.name === name);
  if (!format) throw new DataError(`unknown format: '${name}'; the formats are:\n${listFormats(formats)}`);
  return format;
}

/** The first format whose sniff accepts the head of the file, or undefined. */
export function sniffFormat(
  file: string,
  head: Buffer,
  formats: readonly Format[] = FORMATS,
): Format | undefined {
  return formats.find((f) => f.sniff(file, head));
}

/**
 * Picks the format of a file: by name, or with "auto" by sniffing its first 64 KiB (gunzipped
 * for gzip files). A file no format recognises is an error listing every format.
 */
export async function detectFormat(
  file: string,
  { format = "auto", formats = FORMATS }: { format?: string; formats?: readonly Format[] } = {},
): Promise<Format> {
  if (format !== "auto") return formatByName(format, formats);
  const found = sniffFormat(file, await readHead(file), formats);
  if (!found)
    throw new DataError(`unknown format; give --format with one of:\n${listFormats(formats)}`, { file });
  return found;
}
