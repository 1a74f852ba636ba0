import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { DataError } from "../errors.ts";
import type { Frame } from "../frame.ts";
import { type Issue, validateFrame } from "../validate.ts";
import { detectFormat } from "./detect.ts";
import type { ReadOptions } from "./format.ts";

export interface ReadInputsOptions extends ReadOptions {
  /** a format name, or "auto" (default) to sniff each file */
  format?: string;
  /** warnings found by validation (duplicates dropped, gaps); errors are thrown instead */
  onIssues?: (file: string, frame: Frame, issues: readonly Issue[]) => void;
  /** files inside a directory that no format recognises are skipped and reported here */
  onSkip?: (file: string, reason: string) => void;
}

function hidden(name: string): boolean {
  return name.startsWith(".") || /^readme(\.|$)/i.test(name);
}

async function* walk(dir: string): AsyncGenerator<string> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  for (const entry of entries) {
    if (hidden(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else if (entry.isFile()) yield full;
  }
}

/**
 * Reads files and directories (recursively, skipping README and hidden files) into validated
 * frames. Each file's format is sniffed unless options.format names one. Validation errors
 * (mixed symbols, unsorted times, conflicting duplicates) throw a DataError naming the line;
 * warnings go to onIssues. A file given by name that no format recognises is an error listing
 * the formats; inside a directory such a file is skipped and reported to onSkip.
 *
 *   for await (const frame of readInputs(["data/"], { market: "binance" })) catalog.add(frame);
 */
export async function* readInputs(
  paths: readonly string[],
  options: ReadInputsOptions = {},
): AsyncGenerator<Frame> {
  const { format = "auto", onIssues, onSkip, onRows, ...readOptions } = options;
  let total = 0;
  for (const input of paths) {
    const info = await stat(input).catch(() => {
      throw new DataError("no such file or directory", { file: input });
    });
    const files = info.isDirectory() ? walk(input) : one(input);
    for await (const file of files) {
      let fmt: Awaited<ReturnType<typeof detectFormat>>;
      try {
        fmt = await detectFormat(file, { format });
      } catch (e) {
        if (file !== input && format === "auto" && e instanceof DataError) {
          onSkip?.(file, "no format recognises it");
          continue;
        }
        throw e;
      }
      const base = total;
      for await (const frame of fmt.read(file, { ...readOptions, onRows: (n) => onRows?.(base + n) })) {
        const { frame: clean, issues } = validateFrame(frame, file);
        const error = issues.find((i) => i.level === "error");
        if (error) throw new DataError(`${error.kind}: ${error.message}`, { file, line: error.line });
        if (issues.length > 0) onIssues?.(file, clean, issues);
        total += clean.length;
        yield clean;
      }
    }
  }
}

async function* one(file: string): AsyncGenerator<string> {
  yield file;
}
