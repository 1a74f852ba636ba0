import { tableFromIPC } from "apache-arrow";

/**
 * The metadata of a shared STOM DB attachment (data/stom-db-*.arrow): {db, kind, missing, codename}
 * (codename: {code: 종목명}, stock DBs); the rows are read with decodeSeries.
 */
export function stomDbMeta(bytes) {
  const meta = tableFromIPC(new Uint8Array(bytes)).schema.metadata;
  return {
    db: meta.get("db") ?? null,
    kind: meta.get("kind") ?? null,
    missing: meta.get("missing") ?? null,
    codename: JSON.parse(meta.get("codename") ?? "{}"),
  };
}

/**
 * The STOM page's form: a picker of the shared STOM cases (when the build has them), the buy and
 * sell texts, the 최적화 범위 text (self.vars ranges), 투자금 and the fill rule, and a Run button.
 * Choosing a case fills the texts, the case's DB kind and the shared DB it runs on (`db`, from its
 * stom_v1_oracle.json; `dbs` says which of them this build embeds); edited texts still run on that
 * DB. The page's example runs on the page's own data (`dataKind`). Its `value` changes (with an "input" event, so `view()` sees it)
 * only on Run, so typing in a text area does not re-run the backtest on every key.
 */
export function stomForm({
  buy = "",
  sell = "",
  vars = "",
  betting = 1_000_000,
  fill = "same",
  dataKind = "coin_tick",
  cases = [],
  casesNote = "",
  dbs = [],
} = {}) {
  const form = document.createElement("form");
  form.className = "stom-form";
  form.innerHTML = `
<div class="stom-case">
  <label>STOM case <select name="case"><option value="">(the page's example)</option></select></label>
  <span class="stom-case-note"></span>
</div>
<div class="stom-texts">
  <label>매수 (buy text)<textarea name="buy" rows="9" spellcheck="false"></textarea></label>
  <label>매도 (sell text)<textarea name="sell" rows="9" spellcheck="false"></textarea></label>
</div>
<label>최적화 범위 (self.vars[n] = [[start, end, step], best]; self.vars[0] is 평균값계산틱수)<textarea name="vars" rows="4" spellcheck="false"></textarea></label>
<div class="stom-options">
  <label>투자금 (betting per buy) <input name="betting" type="number" min="1" step="any"></label>
  <label>fill <select name="fill"><option value="same">same: the deciding snapshot (STOM)</option><option value="next">next: the next snapshot (stricter)</option></select></label>
  <button type="submit" name="run">Run</button>
</div>`;
  const f = form.elements;
  for (const c of cases) {
    const option = document.createElement("option");
    option.value = c.name;
    option.textContent = `${c.name} (${c.kind})`;
    f.case.append(option);
  }
  if (!cases.length) f.case.disabled = true;
  const note = form.querySelector(".stom-case-note");
  let kind = dataKind;
  const describe = () => {
    const c = cases.find((x) => x.name === f.case.value);
    note.textContent = !cases.length
      ? casesNote
      : c
        ? `${c.kind} on ${c.db ?? "(no DB named)"}${!c.db || !dbs.some((d) => d.name === c.db && d.available) ? " — not in this build: the case will not run here" : ""}${c.note ? ` · ${c.note}` : ""}`
        : casesNote;
  };
  f.buy.value = buy;
  f.sell.value = sell;
  f.vars.value = vars;
  f.betting.value = String(betting);
  f.fill.value = fill;
  describe();
  f.case.addEventListener("change", () => {
    const c = cases.find((x) => x.name === f.case.value);
    f.buy.value = c ? c.buy : buy;
    f.sell.value = c ? c.sell : sell;
    f.vars.value = c ? (c.vars ?? "") : vars;
    kind = c ? c.kind : dataKind;
    describe();
  });
  const read = () => ({
    case: f.case.value || null,
    db: cases.find((x) => x.name === f.case.value)?.db ?? null,
    kind,
    buy: f.buy.value,
    sell: f.sell.value,
    vars: f.vars.value,
    betting: Number(f.betting.value),
    fill: f.fill.value,
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
