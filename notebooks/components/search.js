/**
 * Runs the engine's optimize() on a Runner and yields `{panel, result}` as it goes: a progress
 * bar, a Cancel button and a status line (done / total, best so far, ETA), then the result.
 * The status element (`id`) carries data-done, data-cancelled, data-trials and data-best
 * ({params, value} as JSON) when finished. Closes the runner at the end.
 */
export async function* searchProgress(
  optimizer,
  runnerPromise,
  { space, method, objective, constraint, trials, seed, top = 10, id = "search-status", invalidation },
) {
  const progress = document.createElement("progress");
  const status = document.createElement("p");
  status.id = id;
  status.dataset.done = "false";
  status.textContent = "starting workers";
  const cancel = document.createElement("button");
  cancel.textContent = "Cancel";
  cancel.id = `${id}-cancel`;
  const panel = document.createElement("div");
  panel.append(progress, " ", cancel, status);
  yield { panel };
  const runner = await runnerPromise;
  const controller = new AbortController();
  cancel.onclick = () => controller.abort();
  invalidation?.then(() => controller.abort());
  let latest;
  let changed = () => {};
  let finished = false;
  let result;
  let error;
  optimizer
    .optimize(runner, {
      space,
      method,
      objective,
      constraint,
      trials,
      seed,
      top,
      signal: controller.signal,
      onProgress: (p) => {
        latest = p;
        changed();
      },
    })
    .then(
      (r) => (result = r),
      (e) => (error = e),
    )
    .finally(() => {
      finished = true;
      runner.close();
      changed();
    });
  const fmt = (x) =>
    Number.isFinite(x) ? x.toLocaleString("en-US", { maximumFractionDigits: 4 }) : String(x);
  const describe = (t) =>
    t
      ? `${Object.entries(t.params)
          .map(([k, v]) => `${k}=${v}`)
          .join(" ")} → ${fmt(t.value)}`
      : "none yet";
  while (!finished) {
    if (latest) {
      progress.max = latest.total;
      progress.value = latest.done;
      const eta = Number.isFinite(latest.etaMs) ? `, ETA ${(latest.etaMs / 1000).toFixed(1)} s` : "";
      status.textContent = `${latest.done} / ${latest.total} trials, best ${describe(latest.best)}${eta}`;
    }
    yield { panel };
    await new Promise((resolve) => {
      changed = resolve;
      setTimeout(resolve, 250);
    });
  }
  cancel.disabled = true;
  if (error) {
    status.textContent = String(error.message ?? error);
    yield { panel };
    return;
  }
  progress.max = Math.max(1, result.trials);
  progress.value = result.trials;
  status.dataset.done = "true";
  status.dataset.cancelled = String(result.cancelled);
  status.dataset.trials = String(result.trials);
  status.dataset.best = JSON.stringify(
    result.best ? { params: result.best.params, value: result.best.value } : null,
  );
  status.textContent = `${result.cancelled ? "cancelled after " : ""}${result.trials} trials (${result.method}, ${result.direction} ${result.objective}) in ${(result.elapsedMs / 1000).toFixed(1)} s: best ${describe(result.best)}`;
  yield { panel, result };
}

/** The top trials as table rows: parameters, objective value and a few stats. */
export function topRows(result) {
  return result.top.map((t) => ({
    ...t.params,
    [result.objective]: t.value,
    returnPct: t.stats?.returnPct,
    trades: t.stats?.trades,
    winRatePct: t.stats?.winRatePct,
    maxDrawdownPct: t.stats?.maxDrawdownPct,
  }));
}
