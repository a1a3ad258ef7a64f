// Price and return series: reading them (plain arrays, typed arrays or 1-D tensors), returns,
// rolling statistics and lags with pandas' meanings, and a date-indexed price series that
// reports what it had to fix (order, duplicates, gaps) instead of fixing it silently.
import { ArgumentError, ShapeError, Tensor, ValueError } from '../../index.js';
import { describe, is, readOptions } from '../../validate.js';

/** A series: numbers in time order, as an array, a typed array or a tensor [n] / [n, 1]. */
export type SeriesLike = ArrayLike<number> | Tensor;

/** `v` as float64 values, every one finite (unless `allowNaN`); errors name `where` and the index. */
export function readSeries(where: string, name: string, v: unknown, { minLength = 1, allowNaN = false } = {}): Float64Array {
  let out: Float64Array;
  if (v instanceof Tensor) {
    if (v.rank > 2 || (v.rank === 2 && v.shape[1] !== 1)) throw new ShapeError(`${where}: ${name} must be a tensor [n] or [n, 1], got shape [${v.shape.join(', ')}]`);
    out = Float64Array.from(v.toFloat32Array());
  } else if (Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView))) {
    const a = v as ArrayLike<unknown>;
    out = new Float64Array(a.length);
    for (let i = 0; i < a.length; i++) {
      const x = a[i];
      if (typeof x !== 'number') throw new ArgumentError(`${where}: ${name}[${i}] must be a number, got ${describe(x)}`, where, name);
      out[i] = x;
    }
  } else {
    throw new ArgumentError(`${where}: ${name} must be an array of numbers or a 1-D tensor, got ${describe(v)}`, where, name);
  }
  if (out.length < minLength) throw new ValueError(`${where}: ${name} needs at least ${minLength} values, got ${out.length}`);
  for (let i = 0; i < out.length; i++) {
    const x = out[i] as number;
    if (!Number.isFinite(x) && !(allowNaN && Number.isNaN(x))) throw new ValueError(`${where}: ${name}[${i}] is ${x}; values must be finite`);
  }
  return out;
}

function readPrices(where: string, prices: unknown): Float64Array {
  const p = readSeries(where, 'prices', prices, { minLength: 2 });
  const bad = p.findIndex((x) => !(x > 0));
  if (bad >= 0) throw new ValueError(`${where}: prices[${bad}] is ${p[bad]}; prices must be positive`);
  return p;
}

/** r_t = ln(p_t / p_{t−1}): n − 1 values. */
export function logReturns(prices: SeriesLike): Float64Array {
  const p = readPrices('logReturns', prices);
  return Float64Array.from({ length: p.length - 1 }, (_, i) => Math.log((p[i + 1] as number) / (p[i] as number)));
}

/** r_t = p_t / p_{t−1} − 1: n − 1 values. */
export function simpleReturns(prices: SeriesLike): Float64Array {
  const p = readPrices('simpleReturns', prices);
  return Float64Array.from({ length: p.length - 1 }, (_, i) => (p[i + 1] as number) / (p[i] as number) - 1);
}

const rollingSpec = { minPeriods: is.int({ min: 1 }) };
const rollingStdSpec = { ...rollingSpec, ddof: is.int({ min: 0 }), annualize: is.number({ min: 0, minOpen: true }) };

// Each window is summed afresh (O(n·window)) rather than by running sums, so a long series
// with a large level does not lose digits to cancellation; pandas' values are matched to 1e-12.
function rolling(where: string, x: SeriesLike, window: unknown, minPeriods: number | undefined, stat: (v: Float64Array, lo: number, hi: number) => number): Float64Array {
  const w = is.int({ min: 1 })(window, `${where}: window`);
  const v = readSeries(where, 'x', x);
  const need = minPeriods ?? w;
  if (need > w) throw new ArgumentError(`${where}: minPeriods (${need}) cannot exceed the window (${w})`, where, 'minPeriods');
  const out = new Float64Array(v.length);
  for (let t = 0; t < v.length; t++) {
    const lo = Math.max(0, t - w + 1);
    out[t] = t - lo + 1 >= need ? stat(v, lo, t + 1) : NaN;
  }
  return out;
}

function mean(v: Float64Array, lo: number, hi: number): number {
  let s = 0;
  for (let i = lo; i < hi; i++) s += v[i] as number;
  return s / (hi - lo);
}

/** Mean of the last `window` values at each time (pandas `rolling(window).mean()`: NaN until full). */
export function rollingMean(x: SeriesLike, window: number, options?: { minPeriods?: number }): Float64Array {
  const o = readOptions('rollingMean', options, rollingSpec);
  return rolling('rollingMean', x, window, o.minPeriods, mean);
}

/**
 * Standard deviation of the last `window` values (pandas `rolling(window).std()`, ddof 1),
 * times √annualize when given (252 turns daily volatility into annual).
 */
export function rollingStd(x: SeriesLike, window: number, options?: { minPeriods?: number; ddof?: number; annualize?: number }): Float64Array {
  const o = readOptions('rollingStd', options, rollingStdSpec);
  const ddof = o.ddof ?? 1;
  const scale = Math.sqrt(o.annualize ?? 1);
  return rolling('rollingStd', x, window, o.minPeriods, (v, lo, hi) => {
    const n = hi - lo;
    if (n - ddof <= 0) return NaN;
    const m = mean(v, lo, hi);
    let ss = 0;
    for (let i = lo; i < hi; i++) ss += ((v[i] as number) - m) ** 2;
    return Math.sqrt(ss / (n - ddof)) * scale;
  });
}

/**
 * A row per time t ≥ k with the previous k values, most recent first: [x_{t−1}, …, x_{t−k}]
 * (the design matrix of an AR(k) model); `y` is x_t for those rows.
 */
export function lags(x: SeriesLike, k: number): { x: Float64Array[]; y: Float64Array; rows: number } {
  const order = is.int({ min: 1 })(k, 'lags: k');
  const v = readSeries('lags', 'x', x, { minLength: order + 1 });
  const rows = v.length - order;
  const cols = Array.from({ length: order }, (_, j) => v.slice(order - 1 - j, order - 1 - j + rows));
  return { x: cols, y: v.slice(order), rows };
}

export interface PriceGap {
  /** The last date before the gap and the first after it (ISO). */
  from: string;
  to: string;
  /** Calendar days between them. */
  days: number;
}

export interface PriceSeries {
  dates: string[];
  prices: Float64Array;
  /** Whether the input was out of order (it is sorted here). */
  wasSorted: boolean;
  /** Gaps longer than `maxGapDays` calendar days. */
  gaps: PriceGap[];
}

const DAY = 86_400_000;

/**
 * A price series indexed by date: dates parsed (ISO `YYYY-MM-DD`, with or without time), the
 * rows sorted by date, and gaps longer than `maxGapDays` (default 5: more than a long weekend)
 * reported. A repeated date or an unparseable one is an error naming the row.
 */
export function priceSeries(dates: readonly string[], prices: SeriesLike, options?: { maxGapDays?: number }): PriceSeries {
  const o = readOptions('priceSeries', options, { maxGapDays: is.int({ min: 1 }) });
  if (!Array.isArray(dates)) throw new ArgumentError(`priceSeries: dates must be an array of date strings, got ${describe(dates)}`, 'priceSeries', 'dates');
  const p = readPrices('priceSeries', prices);
  if (dates.length !== p.length) throw new ShapeError(`priceSeries: ${dates.length} dates but ${p.length} prices`);
  const times = dates.map((d, i) => {
    const t = typeof d === 'string' && /^\d{4}-\d{2}-\d{2}([ T].*)?$/.test(d) ? Date.parse(d.slice(0, 10)) : NaN;
    if (Number.isNaN(t)) throw new ValueError(`priceSeries: date at row ${i} is ${describe(d)}; expected YYYY-MM-DD`);
    return t;
  });
  const order = times.map((_, i) => i).sort((a, b) => (times[a] as number) - (times[b] as number));
  const wasSorted = order.every((v, i) => v === i);
  for (let k = 1; k < order.length; k++) {
    if (times[order[k] as number] === times[order[k - 1] as number]) {
      throw new ValueError(`priceSeries: date ${dates[order[k] as number]} appears twice (rows ${order[k - 1]} and ${order[k]})`);
    }
  }
  const sortedDates = order.map((i) => (dates[i] as string).slice(0, 10));
  const gaps: PriceGap[] = [];
  for (let k = 1; k < order.length; k++) {
    const days = Math.round(((times[order[k] as number] as number) - (times[order[k - 1] as number] as number)) / DAY);
    if (days > (o.maxGapDays ?? 5)) gaps.push({ from: sortedDates[k - 1] as string, to: sortedDates[k] as string, days });
  }
  return { dates: sortedDates, prices: Float64Array.from(order, (i) => p[i] as number), wasSorted, gaps };
}
