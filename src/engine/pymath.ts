// Python's float semantics where backtesting.py's results depend on them (sizing, close portions).

/**
 * CPython's float floor division `a // b` (fmod-based, which can differ from Math.floor(a / b)).
 * CPython's answer is the floor of the exact quotient (Objects/floatobject.c float_floor_div): when
 * the rounded quotient q is within 1e9 and at least 1e-6 from a whole number, q's rounding (half
 * an ulp, under 1.2e-7 there) cannot cross one, and floor(q) is that answer without the fmod (a
 * call into C, most of a signal run's fill).
 */
export function floorDiv(a: number, b: number): number {
  const q = a / b;
  const whole = Math.floor(q);
  const frac = q - whole;
  if (frac > 1e-6 && frac < 1 - 1e-6 && q < 1e9 && q > -1e9) return whole;
  return floorDivByFmod(a, b);
}

// A whole quotient takes the fmod path. It is rare in a search's fills (none in a warm-up on
// 20,000 bars, a few in a 1M-bar grid), and TurboFan inlined floorDiv into the fill with that call
// never seen: the first one deoptimized the fill in every worker thread, 9 ms of recompiling each.
// Calls here give the call its type feedback (V8 keeps none for a function's first few calls).
for (let k = 1; k <= 16; k++) floorDiv(k, 1);

/** floorDiv() the way CPython computes it, for every pair of numbers. */
export function floorDivByFmod(a: number, b: number): number {
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

// ---- Python's and numpy's rounding, bit for bit -------------------------------------------------

/** C's rint: nearest integer, ties to even, the sign of zero kept. */
function rint(y: number): number {
  if (!Number.isFinite(y)) return y;
  const f = Math.floor(y);
  const d = y - f;
  const r = d < 0.5 ? f : d > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1;
  return r === 0 && (y < 0 || Object.is(y, -0)) ? -0 : r;
}

/**
 * round(x, n) as numba (inside @jit) and numpy (np.float64.__round__, np.around) compute it:
 * rint(x * 10^n) / 10^n.
 */
export function npRound(x: number, n = 0): number {
  if (!Number.isFinite(x)) return x;
  const p = 10 ** n;
  return rint(x * p) / p;
}

const F64 = new DataView(new ArrayBuffer(8));

/** x = m * 2^e exactly, m a signed integer. */
function decompose(x: number): [bigint, number] {
  F64.setFloat64(0, x);
  const hi = F64.getUint32(0);
  const lo = F64.getUint32(4);
  const sign = hi >>> 31 ? -1n : 1n;
  const exp = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (exp !== 0) m |= 1n << 52n;
  return [sign * m, (exp === 0 ? 1 : exp) - 1075];
}

/**
 * CPython's round(float, n): correctly rounded from the exact binary value, ties to even
 * (Objects/floatobject.c, double_round via _Py_dg_dtoa mode 3), the sign of zero kept.
 */
export function pyRound(x: number, n = 0): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const [m, e] = decompose(x);
  const p = 10n ** BigInt(n);
  let num = m * p;
  let den = 1n;
  if (e >= 0) num <<= BigInt(e);
  else den <<= BigInt(-e);
  let q = num / den;
  const r = num % den;
  const twice = 2n * (r < 0n ? -r : r);
  if (twice > den || (twice === den && (q & 1n) !== 0n)) q += num < 0n ? -1n : 1n;
  if (q === 0n) return x < 0 ? -0 : 0;
  return pyTrueDiv(q, p);
}

function bitLength(x: bigint): number {
  return x.toString(2).length;
}

/** Python's int / int: the exact quotient rounded once to the nearest double (ties to even). */
export function pyTrueDiv(a: bigint, b: bigint): number {
  if (b === 0n) throw new Error("division by zero");
  const neg = a < 0n !== b < 0n;
  if (a < 0n) a = -a;
  if (b < 0n) b = -b;
  if (a === 0n) return neg ? -0 : 0;
  const limit = 1n << 53n;
  if (a <= limit && b <= limit) return (neg ? -1 : 1) * (Number(a) / Number(b));
  // a quotient of 55+ bits plus a sticky bit rounds correctly in Number(bigint)
  let shift = bitLength(a) - bitLength(b) - 55;
  let num = a;
  let den = b;
  if (shift > 0) den <<= BigInt(shift);
  else num <<= BigInt(-shift);
  let q = num / den;
  q = (q << 1n) | (num % den !== 0n ? 1n : 0n);
  shift -= 1;
  return (neg ? -1 : 1) * Number(q) * 2 ** shift;
}
