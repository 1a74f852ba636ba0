import * as Plot from "@observablehq/plot";

/** Result rows as plain objects, timestamps as Dates (Arrow gives epoch ms numbers). */
export function resultRows(table) {
  const times = table.schema.fields.filter(isTime).map((f) => f.name);
  return table.toArray().map((row) => {
    const out = row.toJSON();
    for (const name of times) if (out[name] != null) out[name] = new Date(Number(out[name]));
    return out;
  });
}

const isTime = (field) => /^Timestamp|^Date/.test(String(field.type));
const isNumber = (field) => /^(Float|Int|Uint|Decimal)/.test(String(field.type));

/**
 * A quick chart of a query result (an Arrow table): the first time or numeric column on x, the
 * next numeric column on y, one line per distinct value of the first text column.
 */
export function resultChart(table, { width = 640, height = 260 } = {}) {
  const fields = table.schema.fields;
  const xField = fields.find(isTime) ?? fields.find(isNumber);
  const yField = fields.find((f) => f !== xField && isNumber(f));
  const zField = fields.find((f) => !isTime(f) && !isNumber(f));
  const note = document.createElement("p");
  if (!xField || !yField || table.numRows === 0) {
    note.textContent = "no chart: the result needs a time or number column and another number column";
    return note;
  }
  const x = Array.from(table.getChild(xField.name), (v) =>
    isTime(xField) ? new Date(Number(v)) : Number(v),
  );
  const y = Array.from(table.getChild(yField.name), Number);
  const z = zField ? Array.from(table.getChild(zField.name), String) : undefined;
  return Plot.plot({
    width,
    height,
    marginLeft: 64,
    x: { label: xField.name },
    y: { label: yField.name, grid: true },
    color: { legend: Boolean(z) },
    marks: [Plot.lineY({ length: x.length }, { x, y, z, stroke: z ?? "currentColor" })],
  });
}
