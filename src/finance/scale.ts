// StandardScaler and MinMaxScaler with sklearn's arithmetic: the population standard deviation
// (ddof = 0), a zero range or variance left at scale 1 (constant columns stay finite), and
// missing values (NaN) ignored in fit and passed through by transform, as sklearn does.
import { ArgumentError } from '../index.js';
import { is, readOptions } from '../validate.js';
import type { Table } from './table.js';
import { type TargetValues, Transformer, numericColumn, numericTable, registerTransformer, stateNumbers } from './transformer.js';

export interface StandardScalerOptions {
  /** Subtract the mean (default true). */
  withMean?: boolean;
  /** Divide by the standard deviation (default true). */
  withStd?: boolean;
}

export class StandardScaler extends Transformer {
  readonly kind = 'StandardScaler';
  readonly withMean: boolean;
  readonly withStd: boolean;
  /** Per column: mean, variance (ddof 0) and scale (std, 1 where it is 0); sklearn's mean_, var_, scale_. */
  mean: Float64Array = new Float64Array(0);
  var: Float64Array = new Float64Array(0);
  scale: Float64Array = new Float64Array(0);

  constructor(options?: StandardScalerOptions) {
    super();
    const o = readOptions('StandardScaler', options, { withMean: is.boolean, withStd: is.boolean });
    this.withMean = o.withMean ?? true;
    this.withStd = o.withStd ?? true;
  }

  getParams(): Record<string, unknown> {
    return { withMean: this.withMean, withStd: this.withStd };
  }

  protected fitTable(x: Table, _y: TargetValues | undefined): void {
    const d = x.nColumns;
    this.mean = new Float64Array(d);
    this.var = new Float64Array(d);
    this.scale = new Float64Array(d);
    x.columnNames.forEach((name, j) => {
      const v = numericColumn('StandardScaler.fit', x, name);
      let n = 0;
      let s = 0;
      for (const a of v) if (!Number.isNaN(a)) (s += a), n++;
      const mean = s / n;
      // Two passes (mean, then squared deviations) keep the variance exact for large offsets.
      let ss = 0;
      for (const a of v) if (!Number.isNaN(a)) ss += (a - mean) * (a - mean);
      this.mean[j] = mean;
      this.var[j] = ss / n;
      const std = Math.sqrt(ss / n);
      // sklearn's _handle_zeros_in_scale: a (near-)constant column keeps scale 1.
      this.scale[j] = std < 10 * Number.EPSILON * Math.max(1, Math.abs(mean)) ? 1 : std;
    });
  }

  /** Observed (non-missing) values per column over the partialFit chunks (sklearn's n_samples_seen_). */
  nSamplesSeen: Float64Array = new Float64Array(0);
  private m2: Float64Array = new Float64Array(0);

  // Each chunk's mean and squared deviations (two passes, as fit) merged into the running ones
  // with Chan, Golub and LeVeque's pairwise update, which keeps the variance accurate where
  // summing squares would cancel: the result equals fit's up to rounding.
  protected override partialFitTable(x: Table, _y: TargetValues | undefined, first: boolean): void {
    const d = x.nColumns;
    const n = first ? new Float64Array(d) : this.nSamplesSeen.slice();
    const mean = first ? new Float64Array(d) : this.mean.slice();
    const m2 = first ? new Float64Array(d) : this.m2.slice();
    x.columnNames.forEach((name, j) => {
      const v = numericColumn('StandardScaler.partialFit', x, name);
      let nb = 0;
      let s = 0;
      for (const a of v) if (!Number.isNaN(a)) (s += a), nb++;
      if (nb === 0) return;
      const mb = s / nb;
      let ss = 0;
      for (const a of v) if (!Number.isNaN(a)) ss += (a - mb) * (a - mb);
      const na = n[j] as number;
      const total = na + nb;
      const delta = mb - (mean[j] as number);
      mean[j] = na === 0 ? mb : (mean[j] as number) + (delta * nb) / total;
      m2[j] = (m2[j] as number) + ss + (na === 0 ? 0 : (delta * delta * na * nb) / total);
      n[j] = total;
    });
    this.nSamplesSeen = n;
    this.m2 = m2;
    this.mean = mean.map((m, j) => ((n[j] as number) === 0 ? NaN : m));
    this.var = m2.map((q, j) => q / (n[j] as number));
    this.scale = this.var.map((v, j) => {
      const std = Math.sqrt(v);
      return std < 10 * Number.EPSILON * Math.max(1, Math.abs(mean[j] as number)) || Number.isNaN(std) ? 1 : std;
    });
  }

  protected transformTable(x: Table): Table {
    const names = x.columnNames;
    return numericTable(
      names,
      names.map((name, j) => {
        const m = this.withMean ? (this.mean[j] as number) : 0;
        const s = this.withStd ? (this.scale[j] as number) : 1;
        return numericColumn('StandardScaler.transform', x, name).map((a) => (a - m) / s);
      }),
    );
  }

  protected namesOut(namesIn: string[]): string[] {
    return namesIn;
  }

  protected fittedState(): Record<string, unknown> {
    return { mean: Array.from(this.mean), var: Array.from(this.var), scale: Array.from(this.scale) };
  }

  restoreState(state: Record<string, unknown>): void {
    const d = Array.isArray(state['mean']) ? state['mean'].length : -1;
    this.mean = stateNumbers(this.kind, state, 'mean', d);
    this.var = stateNumbers(this.kind, state, 'var', d);
    this.scale = stateNumbers(this.kind, state, 'scale', d);
  }
}

export interface MinMaxScalerOptions {
  /** The output range [min, max] (default [0, 1]). */
  featureRange?: [number, number];
  /** Clip transformed values of new data to featureRange (default false). */
  clip?: boolean;
}

export class MinMaxScaler extends Transformer {
  readonly kind = 'MinMaxScaler';
  readonly featureRange: [number, number];
  readonly clip: boolean;
  dataMin: Float64Array = new Float64Array(0);
  dataMax: Float64Array = new Float64Array(0);
  /** x·scale + min maps [dataMin, dataMax] onto featureRange (sklearn's scale_ and min_). */
  scale: Float64Array = new Float64Array(0);
  min: Float64Array = new Float64Array(0);

  constructor(options?: MinMaxScalerOptions) {
    super();
    const o = readOptions('MinMaxScaler', options, { featureRange: is.list(is.number(), { minLength: 2, maxLength: 2 }), clip: is.boolean });
    const r = (o.featureRange ?? [0, 1]) as [number, number];
    if (!(r[0] < r[1])) throw new ArgumentError(`MinMaxScaler: featureRange must be [min, max] with min < max, got [${r.join(', ')}]`, 'MinMaxScaler', 'featureRange');
    this.featureRange = [r[0], r[1]];
    this.clip = o.clip ?? false;
  }

  getParams(): Record<string, unknown> {
    return { featureRange: [...this.featureRange], clip: this.clip };
  }

  protected fitTable(x: Table, _y: TargetValues | undefined): void {
    const d = x.nColumns;
    const [lo, hi] = this.featureRange;
    this.dataMin = new Float64Array(d).fill(NaN);
    this.dataMax = new Float64Array(d).fill(NaN);
    this.scale = new Float64Array(d);
    this.min = new Float64Array(d);
    x.columnNames.forEach((name, j) => {
      let a = Infinity;
      let b = -Infinity;
      for (const v of numericColumn('MinMaxScaler.fit', x, name)) if (!Number.isNaN(v)) (a = Math.min(a, v)), (b = Math.max(b, v));
      const range = b - a;
      const scale = (hi - lo) / (range < 10 * Number.EPSILON ? 1 : range);
      this.dataMin[j] = a;
      this.dataMax[j] = b;
      this.scale[j] = scale;
      this.min[j] = lo - a * scale;
    });
  }

  // Minimum and maximum are exact over chunks; the scale follows from them as in fit.
  protected override partialFitTable(x: Table, _y: TargetValues | undefined, first: boolean): void {
    const d = x.nColumns;
    const [lo, hi] = this.featureRange;
    const dataMin = first ? new Float64Array(d).fill(Infinity) : this.dataMin.map((v) => (Number.isNaN(v) ? Infinity : v));
    const dataMax = first ? new Float64Array(d).fill(-Infinity) : this.dataMax.map((v) => (Number.isNaN(v) ? -Infinity : v));
    x.columnNames.forEach((name, j) => {
      for (const v of numericColumn('MinMaxScaler.partialFit', x, name)) if (!Number.isNaN(v)) (dataMin[j] = Math.min(dataMin[j] as number, v)), (dataMax[j] = Math.max(dataMax[j] as number, v));
    });
    this.scale = dataMin.map((a, j) => (hi - lo) / ((dataMax[j] as number) - a < 10 * Number.EPSILON ? 1 : (dataMax[j] as number) - a));
    this.min = dataMin.map((a, j) => lo - a * (this.scale[j] as number));
    this.dataMin = dataMin;
    this.dataMax = dataMax;
  }

  protected transformTable(x: Table): Table {
    const [lo, hi] = this.featureRange;
    const names = x.columnNames;
    return numericTable(
      names,
      names.map((name, j) =>
        numericColumn('MinMaxScaler.transform', x, name).map((a) => {
          const v = a * (this.scale[j] as number) + (this.min[j] as number);
          return this.clip ? Math.min(hi, Math.max(lo, v)) : v;
        }),
      ),
    );
  }

  protected namesOut(namesIn: string[]): string[] {
    return namesIn;
  }

  protected fittedState(): Record<string, unknown> {
    return { dataMin: Array.from(this.dataMin), dataMax: Array.from(this.dataMax), scale: Array.from(this.scale), min: Array.from(this.min) };
  }

  restoreState(state: Record<string, unknown>): void {
    const d = Array.isArray(state['scale']) ? state['scale'].length : -1;
    this.dataMin = stateNumbers(this.kind, state, 'dataMin', d);
    this.dataMax = stateNumbers(this.kind, state, 'dataMax', d);
    this.scale = stateNumbers(this.kind, state, 'scale', d);
    this.min = stateNumbers(this.kind, state, 'min', d);
  }
}

registerTransformer('StandardScaler', (p) => new StandardScaler(p as StandardScalerOptions));
registerTransformer('MinMaxScaler', (p) => new MinMaxScaler(p as MinMaxScalerOptions));
