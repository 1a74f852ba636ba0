import { SingleBar } from "cli-progress";

export interface Progress {
  update(value: number, label?: string): void;
  stop(): void;
}

/**
 * A counter on stderr, silent when stderr is not a TTY or with --json, so piped output stays clean.
 *
 *   const bar = progress("rows", { json: options.json });
 *   bar.update(rows); bar.stop();
 */
export function progress(
  unit: string,
  { json = false, total = 0 }: { json?: boolean; total?: number } = {},
): Progress {
  if (json || !process.stderr.isTTY) return { update() {}, stop() {} };
  const bar = new SingleBar({
    stream: process.stderr,
    format: total > 0 ? `{bar} {percentage}% | {value}/{total} ${unit} {label}` : `{value} ${unit} {label}`,
    hideCursor: true,
    clearOnComplete: true,
  });
  bar.start(total, 0, { label: "" });
  return {
    update: (value, label = "") => bar.update(value, { label }),
    stop: () => bar.stop(),
  };
}
