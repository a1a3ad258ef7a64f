// Sliding windows over a (multivariate) time series: the (x, y) pairs the forecasters train on.
import { ShapeError, ValueError } from '../errors.js';
import { fromValues } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { is, type PositionalArgs, readArgs } from '../validate.js';

/** A series: one array per feature (`series[f][t]`), or a single array for one feature. */
export type SeriesInput = ReadonlyArray<ArrayLike<number>> | ArrayLike<number>;

export interface WindowOptions {
  /** 'columns' (default): series[f] is feature f over time; 'rows': series[t] is time step t's features. */
  orientation?: 'columns' | 'rows';
  /** The feature forecast in y. Default 0. */
  target?: number;
  /** Steps between the starts of consecutive windows. Default 1. */
  stride?: number;
  /** x as [windows, features, window] (for CNN1dForecaster) instead of [windows, window, features]. Default false. */
  channelsFirst?: boolean;
}

export interface Windows {
  /** [windows, window, features] (or [windows, features, window] with `channelsFirst`). */
  x: Tensor;
  /** [windows, horizon]: the target feature over the `horizon` steps after each window. */
  y: Tensor;
}

// The series as per-feature columns, checked: equal lengths, finite values.
function columnsOf(series: SeriesInput, orientation: 'columns' | 'rows'): Float64Array[] {
  const op = 'makeWindows';
  if (series === null || typeof series !== 'object' || typeof series.length !== 'number' || series.length === 0) {
    throw new ValueError(`${op}: series must be a non-empty array (one array per feature, or one array of values)`);
  }
  const nested = typeof series[0] === 'object' && series[0] !== null;
  const lists: ArrayLike<number>[] = nested ? [...(series as ReadonlyArray<ArrayLike<number>>)] : [series as ArrayLike<number>];
  const finite = (v: unknown, at: string): number => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new ValueError(`${op}: series has ${String(v)} at ${at}; values must be finite numbers`);
    return v;
  };
  if (!nested || orientation === 'columns') {
    const length = (lists[0] as ArrayLike<number>).length;
    return lists.map((col, f) => {
      if (col === null || typeof col !== 'object' || col.length !== length) {
        throw new ShapeError(`${op}: feature ${f} has ${col?.length ?? 'no'} values but feature 0 has ${length}; every feature needs one value per time step`);
      }
      return Float64Array.from({ length }, (_, t) => finite(col[t], `feature ${f}, step ${t}`));
    });
  }
  const width = (lists[0] as ArrayLike<number>).length;
  if (width === 0) throw new ShapeError(`${op}: time step 0 has no features`);
  const cols = Array.from({ length: width }, () => new Float64Array(lists.length));
  lists.forEach((row, t) => {
    if (row === null || typeof row !== 'object' || row.length !== width) {
      throw new ShapeError(`${op}: time step ${t} has ${row?.length ?? 'no'} features but step 0 has ${width}`);
    }
    for (let f = 0; f < width; f++) (cols[f] as Float64Array)[t] = finite(row[f], `step ${t}, feature ${f}`);
  });
  return cols;
}

// makeWindows(series, window, horizon) positionally, the rest (or all but series) as options.
const OPTIONS = {
  window: is.int({ min: 1 }),
  horizon: is.int({ min: 1 }),
  orientation: is.oneOf(['columns', 'rows'] as const),
  target: is.int({ min: 0 }),
  stride: is.int({ min: 1 }),
  channelsFirst: is.boolean,
} satisfies Record<keyof WindowOptions | 'window' | 'horizon', unknown>;

/**
 * Cuts a series into windows of `window` steps (all features) and the next `horizon` values of
 * the target feature: window i covers steps i·stride … i·stride + window − 1 and its y row the
 * steps right after it. x [windows, window, features] (RecurrentForecaster's layout; with
 * `channelsFirst`, [windows, features, window] for CNN1dForecaster), y [windows, horizon].
 * Windows keep time order, so the last rows are the latest (hold those out for testing).
 */
export function makeWindows(series: SeriesInput, window: number, ...args: PositionalArgs<[horizon: number], WindowOptions>): Windows {
  const op = 'makeWindows';
  const o = readArgs(op, [window, ...args], ['window', 'horizon'], OPTIONS);
  const win = OPTIONS.window(o.window, `${op}: window`);
  const horizon = o.horizon ?? 1;
  const orientation = o.orientation ?? 'columns';
  const stride = o.stride ?? 1;
  const cols = columnsOf(series, orientation);
  const features = cols.length;
  const target = o.target ?? 0;
  if (target >= features) {
    throw new ValueError(`${op}: target must be a feature index in [0, ${features}), got ${String(target)}`);
  }
  const length = (cols[0] as Float64Array).length;
  if (length < win + horizon) {
    throw new ShapeError(`${op}: a series of ${length} steps is too short for one window of ${win} plus a horizon of ${horizon}`);
  }
  const count = Math.floor((length - win - horizon) / stride) + 1;
  const x = new Float32Array(count * win * features);
  const y = new Float32Array(count * horizon);
  const channelsFirst = o.channelsFirst ?? false;
  const tgt = cols[target] as Float64Array;
  for (let i = 0; i < count; i++) {
    const start = i * stride;
    for (let f = 0; f < features; f++) {
      const col = cols[f] as Float64Array;
      for (let s = 0; s < win; s++) {
        const at = channelsFirst ? (i * features + f) * win + s : (i * win + s) * features + f;
        x[at] = col[start + s] as number;
      }
    }
    for (let h = 0; h < horizon; h++) y[i * horizon + h] = tgt[start + win + h] as number;
  }
  const xShape = channelsFirst ? [count, features, win] : [count, win, features];
  return { x: fromValues(op, x, xShape), y: fromValues(op, y, [count, horizon]) };
}
