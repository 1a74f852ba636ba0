/**
 * Ends the process quietly (exit 0) when the reader of stdout has gone, as in
 * `stom data query "..." | head -1`: EPIPE is the reader saying it has seen enough, not a failure of
 * the command, so no stack and no error code. Any other stdout error is rethrown as before.
 * The CLI entry installs it once, before any command runs:
 *
 *   exitQuietlyOnEpipe();
 */
export function exitQuietlyOnEpipe(
  stream: NodeJS.EventEmitter = process.stdout,
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") exit(0);
    else throw error;
  });
}
