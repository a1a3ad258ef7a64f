// Statistics of a tensor's values for inspection (graph nodes, gradStats, the recorder),
// computed on the host in float64 in one pass plus one for the histogram. Non-finite values
// are counted, and left out of every other figure, so that one NaN does not hide the rest.
import { Tensor } from '../tensor/tensor.js';
import { is, readOptions } from '../validate.js';

/** The short summary graph nodes carry. Min, max and mean are over the finite values (null if none). */
export interface ValueSummary {
  min: number | null;
  max: number | null;
  mean: number | null;
  /** Count of NaN values. */
  nan: number;
  /** Count of ±Infinity values. */
  inf: number;
  /** The values themselves, for tensors of at most 8 elements. */
  values?: number[];
}

/** Histogram over the finite values: `counts[i]` in [edges[i], edges[i + 1]) (the last bin closed). */
export interface Histogram {
  edges: number[];
  counts: number[];
}

export interface TensorStats {
  /** Number of elements. */
  count: number;
  /** √Σx² over the finite values. */
  norm: number;
  mean: number | null;
  /** Population standard deviation (divides by the count of finite values). */
  std: number | null;
  min: number | null;
  max: number | null;
  /** Fraction of elements exactly 0 (dead ReLU units show here). */
  zeros: number;
  /** Fraction of elements NaN or ±Infinity. */
  nonFinite: number;
  histogram: Histogram;
}

export interface TensorStatsOptions {
  /** Histogram bins (default 10). */
  bins?: number;
}

const SMALL = 8;

/** min / max / mean of the finite values and the counts of NaN and ±Infinity. */
export function summarizeValues(data: ArrayLike<number>): ValueSummary {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let nan = 0;
  let inf = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number;
    if (Number.isNaN(v)) nan++;
    else if (!Number.isFinite(v)) inf++;
    else {
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
    }
  }
  const finite = data.length - nan - inf;
  const out: ValueSummary = { min: finite ? min : null, max: finite ? max : null, mean: finite ? sum / finite : null, nan, inf };
  if (data.length <= SMALL) out.values = Array.from(data);
  return out;
}

/** Norm, mean, std, min/max, fraction of zeros and of non-finite values, and a histogram of `t`. */
export function tensorStats(t: Tensor, options: TensorStatsOptions = {}): TensorStats {
  const o = readOptions('tensorStats', options, { bins: is.int({ min: 1 }) });
  is.instance(Tensor, 'a Tensor')(t, 'tensorStats: t');
  t.assertLive('tensorStats');
  const data = t.data;
  const bins = o.bins ?? 10;
  const { min, max, mean, nan, inf } = summarizeValues(data);
  let squares = 0;
  let deviations = 0;
  let zeros = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number;
    if (v === 0) zeros++;
    if (!Number.isFinite(v)) continue;
    squares += v * v;
    deviations += (v - (mean as number)) ** 2;
  }
  const finite = data.length - nan - inf;
  const counts = new Array<number>(bins).fill(0);
  const lo = min ?? 0;
  const hi = max ?? 0;
  const width = (hi - lo) / bins;
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number;
    if (!Number.isFinite(v)) continue;
    const b = width > 0 ? Math.min(bins - 1, Math.floor((v - lo) / width)) : 0;
    counts[b] = (counts[b] as number) + 1;
  }
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? hi : lo + i * width));
  const n = Math.max(1, data.length);
  return {
    count: data.length,
    norm: Math.sqrt(squares),
    mean,
    std: finite ? Math.sqrt(deviations / finite) : null,
    min,
    max,
    zeros: zeros / n,
    nonFinite: (nan + inf) / n,
    histogram: { edges, counts },
  };
}
