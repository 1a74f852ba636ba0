/**
 * A scrolling table that keeps only the visible rows (plus a margin) in the DOM, so a list of
 * 100k trades costs what 30 rows cost. `rows` is an array of plain objects, or `{length, get(i),
 * columns?}` building each row on demand; `columns` default to the first
 * row's keys; `format[key](value)` formats a cell. Each row carries `data-index`.
 */
export function virtualTable(
  rows,
  {
    columns = rows.columns ?? (rows.length ? Object.keys(rowAt(rows, 0)) : []),
    format = {},
    height = 360,
    rowHeight = 24,
    overscan = 10,
  } = {},
) {
  const wrap = document.createElement("div");
  wrap.className = "virtual-table";
  wrap.style.cssText = `max-height:${height}px;overflow:auto;position:relative;font-variant-numeric:tabular-nums;`;
  wrap.dataset.rows = String(rows.length);
  const table = document.createElement("table");
  table.style.cssText = "border-collapse:collapse;width:100%;table-layout:auto;";
  const head = table.createTHead().insertRow();
  for (const c of columns) {
    const th = document.createElement("th");
    th.textContent = c;
    th.style.cssText = "position:sticky;top:0;background:var(--theme-background, white);text-align:left;";
    head.append(th);
  }
  const body = table.createTBody();
  const padTop = document.createElement("tr");
  const padBottom = document.createElement("tr");
  wrap.append(table);
  const text = (key, value) => {
    if (value == null) return "";
    const f = format[key];
    if (f) return f(value);
    return typeof value === "number"
      ? value.toLocaleString("en-US", { maximumFractionDigits: 6 })
      : String(value);
  };
  let shown = [-1, -1];
  const draw = () => {
    const first = Math.max(0, Math.floor(wrap.scrollTop / rowHeight) - overscan);
    const last = Math.min(rows.length, Math.ceil((wrap.scrollTop + height) / rowHeight) + overscan);
    if (first === shown[0] && last === shown[1]) return;
    shown = [first, last];
    const fragment = document.createDocumentFragment();
    padTop.style.height = `${first * rowHeight}px`;
    padBottom.style.height = `${(rows.length - last) * rowHeight}px`;
    fragment.append(padTop);
    for (let i = first; i < last; i++) {
      const tr = document.createElement("tr");
      tr.dataset.index = String(i);
      tr.style.height = `${rowHeight}px`;
      const row = rowAt(rows, i);
      for (const c of columns) {
        const td = document.createElement("td");
        td.textContent = text(c, row[c]);
        if (typeof row[c] === "number") td.style.textAlign = "right";
        tr.append(td);
      }
      fragment.append(tr);
    }
    fragment.append(padBottom);
    body.replaceChildren(fragment);
  };
  wrap.addEventListener("scroll", () => requestAnimationFrame(draw), { passive: true });
  draw();
  return wrap;
}

const rowAt = (rows, i) => (Array.isArray(rows) ? rows[i] : rows.get(i));
