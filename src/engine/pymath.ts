// Python's float semantics where backtesting.py's results depend on them (sizing, close portions).

/** CPython's float floor division `a // b` (fmod-based, which can differ from Math.floor(a / b)). */
export function floorDiv(a: number, b: number): number {
  const mod = a % b;
  let div = (a - mod) / b;
  if (mod !== 0 && b < 0 !== mod < 0) div -= 1;
  if (div === 0) return 0 * (a / b);
  let floordiv = Math.floor(div);
  if (div - floordiv > 0.5) floordiv += 1;
  return floordiv;
}

/** Python's round(): half to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * numpy's round(x, digits) for a float64 (np.round, pandas .round, a numba-compiled round): scale by
 * 10**digits, round half to even, scale back. It can differ from Python's round() in the last digit.
 */
export function npRound(x: number, digits = 0): number {
  if (digits === 0) return roundHalfEven(x);
  const f = 10 ** digits;
  return roundHalfEven(x * f) / f;
}

/**
 * Python's round(x, digits) for a float: the exact decimal value of x rounded half to even (CPython
 * rounds correctly through its dtoa; toFixed rounds the exact value too, but ties away from zero).
 */
export function pyRound(x: number, digits = 0): number {
  if (!Number.isFinite(x) || Math.abs(x) >= 1e21) return x;
  if (digits === 0) return roundHalfEven(x);
  const abs = Math.abs(x);
  const places = Math.min(100, digits + 30);
  const exact = abs.toFixed(places);
  const frac = exact.slice(exact.indexOf(".") + 1);
  const tail = frac.slice(digits);
  const rounded = Number(abs.toFixed(digits));
  let out = rounded;
  if (tail[0] === "5" && /^0*$/.test(tail.slice(1))) {
    // a true tie: toFixed went away from zero; keep the truncated value when its last digit is even
    const kept = exact.slice(0, exact.indexOf(".") + 1 + digits);
    const last = Number(kept[kept.length - 1] === "." ? kept[kept.length - 2] : kept[kept.length - 1]);
    if (last % 2 === 0) out = Number(kept);
  }
  return x < 0 ? -out : out;
}
