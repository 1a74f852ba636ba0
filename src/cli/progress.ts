import { SingleBar } from "cli-progress";

export interface Progress {
  update(value: number, label?: string): void;
  /** The planned count, when it is only known once the work has started (optimize's trials). */
  setTotal(total: number): void;
  stop(): void;
}

/**
 * A counter on stderr, silent when stderr is not a TTY or with --json, so piped output stays clean.
 * With a `total` it is a bar: `{bar} 12% | 48/400 trials`.
 *
 *   const bar = progress("rows", { json: options.json });
 *   bar.update(rows); bar.stop();
 */
export function progress(
  unit: string,
  {
    json = false,
    total = 0,
    stream = process.stderr,
  }: { json?: boolean; total?: number; stream?: NodeJS.WritableStream & { isTTY?: boolean } } = {},
): Progress {
  if (json || !stream.isTTY) return { update() {}, setTotal() {}, stop() {} };
  const bar = new SingleBar({
    stream,
    format: total > 0 ? `{bar} {percentage}% | {value}/{total} ${unit} {label}` : `{value} ${unit} {label}`,
    hideCursor: true,
    clearOnComplete: true,
  });
  bar.start(total, 0, { label: "" });
  return {
    update: (value, label = "") => bar.update(value, { label }),
    setTotal: (n) => bar.setTotal(n),
    stop: () => bar.stop(),
  };
}
