// The one way tests run the `stom` command: bin/stom.js in a child process, as a user runs it.
import { execFile, execFileSync, spawnSync } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { ROOT } from "./paths.ts";

export const STOM_BIN = join(ROOT, "bin/stom.js");

export interface CliOptions {
  /** working directory; the checkout by default */
  readonly cwd?: string;
  /** added to the environment (TZ is UTC unless given) */
  readonly env?: Record<string, string>;
}

const envOf = (env?: Record<string, string>) => ({ ...process.env, TZ: "UTC", ...env });
const execFileAsync = promisify(execFile);

/** bin/stom.js notes on stderr when it runs the sources instead of a build; that is not the test's. */
const quiet = (stderr: string) =>
  stderr
    .split("\n")
    .filter((l) => !l.startsWith("stom: running from the TypeScript sources"))
    .join("\n");

/** Runs `stom ...args`; rejects (with stderr in the message) when it exits non-zero. */
export async function stom(args: readonly string[], options: CliOptions = {}) {
  const { stdout, stderr } = await execFileAsync(process.execPath, [STOM_BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    env: envOf(options.env),
    maxBuffer: 1 << 26,
  });
  return { stdout, stderr: quiet(stderr) };
}

/** Runs `stom ...args` to the end and returns its exit code and output, whatever the code. */
export function stomSync(args: readonly string[], options: CliOptions = {}) {
  const run = spawnSync(process.execPath, [STOM_BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    env: envOf(options.env),
    encoding: "utf8",
    maxBuffer: 1 << 26,
  });
  return { code: run.status, stdout: run.stdout, stderr: quiet(run.stderr) };
}

/** stdout of `stom ...args`; throws when it exits non-zero. */
export function stomText(args: readonly string[], options: CliOptions = {}): string {
  return execFileSync(process.execPath, [STOM_BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    env: envOf(options.env),
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 1 << 26,
  });
}
