/**
 * The recorder's time: the wall clock when recording, a clock a test moves by hand. Everything that
 * waits (the flush timer, reconnect backoff) goes through it, so a test never sleeps for real.
 */
export interface Clock {
  now(): number;
  /** calls `fn` every `ms`; returns a canceller */
  every(ms: number, fn: () => void): () => void;
  /** resolves after `ms` (early when `signal` aborts) */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  every(ms, fn) {
    // aligned to the next whole interval, so a 1 s timer fires just after each second boundary
    let timer: NodeJS.Timeout | undefined;
    const align = setTimeout(
      () => {
        fn();
        timer = setInterval(fn, ms);
      },
      ms - (Date.now() % ms) + 5,
    );
    return () => {
      clearTimeout(align);
      if (timer) clearInterval(timer);
    };
  },
  sleep(ms, signal) {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        signal?.removeEventListener("abort", done);
        resolve();
      }
      signal?.addEventListener("abort", done, { once: true });
    });
  },
};
