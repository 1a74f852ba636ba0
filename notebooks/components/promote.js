import { html } from "htl";

// The Backtest page's "Promote to paper": posts the run's strategy, params and fingerprint to a
// running bridge (`stom bridge --allow-origin <this page's origin>`), as `stom promote --report` does.

/** JSON with object keys sorted at every level (src/app/fingerprint.ts canonicalJson). */
function canonicalJson(value) {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, v[k]]),
        )
      : v,
  );
}

/**
 * sha256 over the strategy's source, the JSON of its resolved params and the canonical JSON of the
 * run's settings, hex: the same fingerprint as src/app/fingerprint.ts, so the bridge can tell that it
 * runs what was backtested, with the same cash and costs.
 */
export async function fingerprint(source, params, settings) {
  const bytes = new TextEncoder().encode(
    source + JSON.stringify(params) + (settings ? canonicalJson(settings) : ""),
  );
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(hash, (b) => b.toString(16).padStart(2, "0")).join("");
}

const EXCHANGES = ["binance", "upbit"];

/**
 * A form for the bridge URL, token (kept in this tab only), venue, symbol and timeframe, and a button
 * that promotes `run()`'s {strategy, params, source, settings} in paper mode. The answer shows in #promote-status.
 */
export function promoteForm({ symbol = "", timeframe = "1m", exchange = "binance", run }) {
  const status = html`<p id="promote-status" class="note">The bridge must run with this page's origin allowed: <code>stom bridge --allow-origin ${location.origin}</code>.</p>`;
  const form = html`<form class="promote-form">
    <label>Bridge <input name="url" value="http://127.0.0.1:8787" size="26"></label>
    <label>Token <input name="token" type="password" size="34" autocomplete="off"></label>
    <label>Exchange <select name="exchange">${EXCHANGES.map((e) => html`<option selected=${e === exchange}>${e}`)}</select></label>
    <label>Symbol <input name="symbol" value=${symbol} size="12" required></label>
    <label>Timeframe <input name="timeframe" value=${timeframe} size="5"></label>
    <button name="promote" type="submit">Promote to paper</button>
  </form>`;
  form.onsubmit = async (event) => {
    event.preventDefault();
    const { strategy, params, source, settings } = run();
    const body = {
      strategy,
      params,
      exchange: form.exchange.value,
      symbol: form.symbol.value.trim(),
      timeframe: form.timeframe.value.trim(),
      mode: "paper",
      settings,
      fingerprint: await fingerprint(source, params, settings),
    };
    status.dataset.state = "pending";
    status.textContent = `promoting ${strategy} to ${form.url.value} ...`;
    try {
      const res = await fetch(new URL("/api/promotions", form.url.value), {
        method: "POST",
        headers: { Authorization: `Bearer ${form.token.value}`, "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      const answer = await res.json().catch(() => ({}));
      if (!res.ok) {
        status.dataset.state = "refused";
        status.textContent =
          res.status === 409
            ? `refused: ${answer.error} (the file changed since this page was built: reload the page and backtest again)`
            : `refused (${res.status}): ${answer.error ?? res.statusText}`;
        return;
      }
      status.dataset.state = "promoted";
      status.dataset.id = answer.id;
      status.dataset.fingerprint = body.fingerprint;
      status.dataset.settings = JSON.stringify(settings);
      status.textContent = `promoted: ${strategy} ${Object.entries(params)
        .map(([k, v]) => `${k}=${v}`)
        .join(
          " ",
        )} on ${body.exchange} ${body.symbol} ${body.timeframe}, paper, id ${answer.id} (follow it on the Live page)`;
    } catch (error) {
      status.dataset.state = "unreachable";
      status.textContent = `no answer from ${form.url.value}: ${error.message} (is the bridge running with --allow-origin ${location.origin}?)`;
    }
  };
  return html`<div>${form}${status}</div>`;
}
