import * as Inputs from "@observablehq/inputs";

/**
 * One range input per strategy parameter, from its spec (default, min, max, step, integer), in an
 * Inputs.form whose value is `{name: number}`.
 */
export function paramInputs(specs, { values = {} } = {}) {
  const inputs = {};
  for (const [name, spec] of Object.entries(specs)) {
    const integer = spec.integer ?? true;
    const step = spec.step ?? (integer ? 1 : undefined);
    const min = spec.min ?? Math.min(0, spec.default);
    const max = spec.max ?? Math.max(spec.default * 4, min + 1);
    inputs[name] = Inputs.range([min, max], { label: name, step, value: values[name] ?? spec.default });
  }
  return Inputs.form(inputs);
}

/** The grid values of one parameter: `count` evenly spaced points of its range, on its step. */
export function gridValues(
  spec,
  { count = 6, min = spec.min ?? spec.default, max = spec.max ?? spec.default } = {},
) {
  const integer = spec.integer ?? true;
  const step = spec.step ?? (integer ? 1 : (max - min) / Math.max(1, count - 1));
  const out = new Set();
  for (let k = 0; k < count; k++) {
    const raw = min + ((max - min) * k) / Math.max(1, count - 1);
    const snapped = min + Math.round((raw - min) / step) * step;
    out.add(Number((integer ? Math.round(snapped) : snapped).toFixed(10)));
  }
  return [...out].filter((v) => v >= min && v <= max);
}
