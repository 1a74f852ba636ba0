/**
 * The STOM page's form: buy and sell texts, costs, 투자금, 최대매수종목수, same-snapshot fill, and a
 * Run button. Its `value` changes (with an "input" event, so `view()` sees it) only on Run, so
 * typing in a text area does not re-run the backtest on every key.
 */
export function stomForm({
  buy = "",
  sell = "",
  costs = "upbit",
  budget = 1_000_000,
  maxPositions = 5,
  sameSnapshot = false,
} = {}) {
  const form = document.createElement("form");
  form.className = "stom-form";
  form.innerHTML = `
<div class="stom-texts">
  <label>매수 (buy text)<textarea name="buy" rows="9" spellcheck="false"></textarea></label>
  <label>매도 (sell text)<textarea name="sell" rows="9" spellcheck="false"></textarea></label>
</div>
<div class="stom-options">
  <label>costs <select name="costs"><option>upbit</option><option>krx</option><option value="none">none</option></select></label>
  <label>투자금 (budget per position) <input name="budget" type="number" min="1" step="any"></label>
  <label>최대매수종목수 (max positions) <input name="maxPositions" type="number" min="1" step="1"></label>
  <label><input name="sameSnapshot" type="checkbox"> fill on the deciding snapshot (STOM's backtester)</label>
  <button type="submit" name="run">Run</button>
</div>`;
  const f = form.elements;
  f.buy.value = buy;
  f.sell.value = sell;
  f.costs.value = costs;
  f.budget.value = String(budget);
  f.maxPositions.value = String(maxPositions);
  f.sameSnapshot.checked = sameSnapshot;
  const read = () => ({
    buy: f.buy.value,
    sell: f.sell.value,
    costs: f.costs.value,
    budget: Number(f.budget.value),
    maxPositions: Number(f.maxPositions.value),
    sameSnapshot: f.sameSnapshot.checked,
  });
  form.value = read();
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    form.value = read();
    form.dispatchEvent(new Event("input", { bubbles: true }));
  });
  // Framework's view() listens for "input"; keep edits inside the form from reaching it
  form.addEventListener("input", (event) => {
    if (event.target !== form) event.stopImmediatePropagation();
  });
  return form;
}
