// Long-running `stom` processes for tests (workers, coordinators that get killed): spawned as a user
// runs them, with their output collected and a way to wait for a line instead of sleeping.
import { type ChildProcess, spawn } from "node:child_process";
import { STOM_BIN } from "./cli.ts";
import { ROOT } from "./paths.ts";

export interface StomProcess {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** resolves when stderr matches (rejects if the process exits first or after timeoutMs) */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** resolves with the exit code (or signal) */
  readonly exited: Promise<number | NodeJS.Signals>;
  kill(signal?: NodeJS.Signals): Promise<number | NodeJS.Signals>;
}

export function spawnStom(args: readonly string[], { cwd = ROOT }: { cwd?: string } = {}): StomProcess {
  const child = spawn(process.execPath, [STOM_BIN, ...args], {
    cwd,
    env: { ...process.env, TZ: "UTC" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  const listeners = new Set<() => void>();
  child.stdout?.on("data", (c) => {
    out += c;
  });
  child.stderr?.on("data", (c) => {
    err += c;
    for (const l of listeners) l();
  });
  const exited = new Promise<number | NodeJS.Signals>((resolve) =>
    child.once("exit", (code, signal) => {
      for (const l of listeners) l();
      resolve(code ?? (signal as NodeJS.Signals));
    }),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`timed out waiting for ${pattern} in:\n${err}`));
        }, timeoutMs);
        const check = () => {
          const m = err.match(pattern);
          if (m || child.exitCode !== null || child.signalCode !== null) {
            clearTimeout(timer);
            listeners.delete(check);
            if (m) resolve(m);
            else reject(new Error(`stom exited before ${pattern}:\n${err}`));
          }
        };
        listeners.add(check);
        check();
      });
    },
    kill(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Polls a condition (every 50 ms) until it holds; the wait is on a state, never a fixed sleep. */
export async function until(
  condition: () => Promise<boolean> | boolean,
  { timeoutMs = 30_000, what = "condition" }: { timeoutMs?: number; what?: string } = {},
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
