// Weight-of-Evidence binning for scorecards. Each feature is cut into bins (numeric: quantile
// edges or greedy Gini splits; categorical: one bin per category; missing values: a bin of their
// own), adjacent numeric bins are merged until the WoE is monotonic where asked, and every value
// is replaced by its bin's WoE.
//
// Convention (the credit-scoring one): the event is y = 1 (a default, "bad"), y = 0 is "good", and
//   WoE_b = ln(%good_b / %bad_b),  %good_b = (good_b + α) / (G + α·B),  %bad_b likewise,
//   IV = Σ_b (%good_b − %bad_b) · WoE_b,
// so a positive WoE marks a bin safer than average, and IV ≥ 0. α (`smoothing`, default 0.5) is
// added to every bin's two counts, so a bin without goods or bads gets a finite WoE; with
// α = 0 such a bin is an error naming the feature and the bin.
import { ValueError } from '../index.js';
import { is, readOptions } from '../validate.js';
import type { Table } from './table.js';
import { type TargetValues, Transformer, numericTable, registerTransformer } from './transformer.js';

/** One bin of a feature: numeric bins are [lower, upper) (±Infinity at the ends), categorical bins list their categories. */
export interface WoEBin {
  lower?: number;
  upper?: number;
  categories?: string[];
  /** The bin of missing values (NaN / null). */
  missing?: boolean;
  count: number;
  good: number;
  bad: number;
  woe: number;
}

export type Monotonic = 'auto' | 'increasing' | 'decreasing' | false;

const monotonicCheck = is.anyOf<Monotonic>(
  "'auto', 'increasing', 'decreasing' or false",
  is.oneOf(['auto', 'increasing', 'decreasing'] as const),
  (v, w) => (v === false ? false : is.oneOf([] as const)(v, w)),
);

export interface WoEEncoderOptions {
  /** Initial numeric bins: 'quantile' (default) or 'tree' (greedy Gini splits). */
  binning?: 'quantile' | 'tree';
  /** Most initial bins per numeric feature (default 10). */
  maxBins?: number;
  /** Smallest bin of a 'tree' split as a share of the rows (default 0.05). */
  minBinSize?: number;
  /**
   * Merge adjacent numeric bins until WoE is monotonic: 'auto' (default; the direction of the
   * first vs last bin), 'increasing', 'decreasing', or false; or per column
   * `{income: 'increasing', age: false}` (columns not named: false).
   */
  monotonic?: Monotonic | Record<string, Monotonic>;
  /** α added to each bin's good and bad counts (default 0.5). */
  smoothing?: number;
}

function woeOf(where: string, bins: Omit<WoEBin, 'woe'>[], alpha: number): WoEBin[] {
  const G = bins.reduce((s, b) => s + b.good, 0);
  const B = bins.reduce((s, b) => s + b.bad, 0);
  return bins.map((b, i) => {
    const pg = (b.good + alpha) / (G + alpha * bins.length);
    const pb = (b.bad + alpha) / (B + alpha * bins.length);
    const woe = Math.log(pg / pb);
    if (!Number.isFinite(woe)) throw new ValueError(`${where}: bin ${i} has ${b.good} goods and ${b.bad} bads; its WoE is infinite (use smoothing > 0 or fewer bins)`);
    return { ...b, woe };
  });
}

/** Information value of fitted bins. */
function ivOf(bins: WoEBin[], alpha: number): number {
  const G = bins.reduce((s, b) => s + b.good, 0);
  const B = bins.reduce((s, b) => s + b.bad, 0);
  return bins.reduce((s, b) => s + ((b.good + alpha) / (G + alpha * bins.length) - (b.bad + alpha) / (B + alpha * bins.length)) * b.woe, 0);
}

function gini(good: number, bad: number): number {
  const n = good + bad;
  return n === 0 ? 0 : 1 - (good / n) ** 2 - (bad / n) ** 2;
}

export class WoEEncoder extends Transformer {
  readonly kind = 'WoEEncoder';
  readonly binning: 'quantile' | 'tree';
  readonly maxBins: number;
  readonly minBinSize: number;
  readonly monotonic: Monotonic | Record<string, Monotonic>;
  readonly smoothing: number;
  /** Per feature (in fit order): its bins. */
  bins: WoEBin[][] = [];
  /** Per feature: its information value. */
  informationValues: Record<string, number> = {};

  constructor(options?: WoEEncoderOptions) {
    super();
    const o = readOptions('WoEEncoder', options, {
      binning: is.oneOf(['quantile', 'tree'] as const),
      maxBins: is.int({ min: 2 }),
      minBinSize: is.number({ min: 0, max: 0.5, minOpen: true }),
      monotonic: (v, w) =>
        v !== null && typeof v === 'object' && !Array.isArray(v)
          ? Object.fromEntries(Object.entries(v).map(([k, m]) => [k, monotonicCheck(m, `${w}.${k}`)]))
          : monotonicCheck(v, w),
      smoothing: is.number({ min: 0 }),
    });
    this.binning = o.binning ?? 'quantile';
    this.maxBins = o.maxBins ?? 10;
    this.minBinSize = o.minBinSize ?? 0.05;
    this.monotonic = (o.monotonic as Monotonic | Record<string, Monotonic> | undefined) ?? 'auto';
    this.smoothing = o.smoothing ?? 0.5;
  }

  getParams(): Record<string, unknown> {
    return { binning: this.binning, maxBins: this.maxBins, minBinSize: this.minBinSize, monotonic: this.monotonic, smoothing: this.smoothing };
  }

  /** Upper edges (exclusive) of the initial numeric bins, ascending, the last +Infinity. */
  private edges(v: Float64Array, y: Float64Array): number[] {
    const idx = Array.from(v.keys()).filter((i) => !Number.isNaN(v[i] as number));
    idx.sort((a, b) => (v[a] as number) - (v[b] as number));
    const xs = idx.map((i) => v[i] as number);
    // Cut points lie between distinct values, so equal values always share a bin.
    const cutAt = (k: number): number => ((xs[k - 1] as number) + (xs[k] as number)) / 2;
    const cuts = new Set<number>();
    if (this.binning === 'quantile') {
      for (let q = 1; q < this.maxBins; q++) {
        let k = Math.round((q * xs.length) / this.maxBins);
        while (k < xs.length && k > 0 && xs[k] === xs[k - 1]) k++;
        if (k > 0 && k < xs.length) cuts.add(cutAt(k));
      }
    } else {
      const ys = idx.map((i) => y[i] as number);
      const minSize = Math.max(1, Math.ceil(this.minBinSize * xs.length));
      const segments: [number, number][] = [[0, xs.length]];
      while (segments.length < this.maxBins) {
        let best: { gain: number; seg: number; k: number } | null = null;
        segments.forEach(([lo, hi], s) => {
          const bad = ys.slice(lo, hi).reduce((a, b) => a + b, 0);
          const whole = gini(hi - lo - bad, bad) * (hi - lo);
          let leftBad = 0;
          for (let k = lo + 1; k < hi; k++) {
            leftBad += ys[k - 1] as number;
            if (k - lo < minSize || hi - k < minSize || xs[k] === xs[k - 1]) continue;
            const gain = whole - gini(k - lo - leftBad, leftBad) * (k - lo) - gini(hi - k - (bad - leftBad), bad - leftBad) * (hi - k);
            if (gain > 1e-12 && (best === null || gain > best.gain)) best = { gain, seg: s, k };
          }
        });
        if (best === null) break;
        const { seg, k } = best as { gain: number; seg: number; k: number };
        const [lo, hi] = segments[seg] as [number, number];
        segments.splice(seg, 1, [lo, k], [k, hi]);
        cuts.add(cutAt(k));
      }
    }
    return [...[...cuts].sort((a, b) => a - b), Infinity];
  }

  private mergeMonotonic(where: string, name: string, bins: Omit<WoEBin, 'woe'>[]): WoEBin[] {
    let fitted = woeOf(where, bins, this.smoothing);
    const mode = typeof this.monotonic === 'object' ? (this.monotonic[name] ?? false) : this.monotonic;
    if (mode === false) return fitted;
    const dir = mode === 'auto' ? Math.sign((fitted[fitted.length - 1] as WoEBin).woe - (fitted[0] as WoEBin).woe) || 1 : mode === 'increasing' ? 1 : -1;
    for (;;) {
      const i = fitted.findIndex((b, k) => k > 0 && (b.woe - (fitted[k - 1] as WoEBin).woe) * dir < 0);
      if (i < 0) return fitted;
      const a = bins[i - 1] as Omit<WoEBin, 'woe'>;
      const b = bins[i] as Omit<WoEBin, 'woe'>;
      bins.splice(i - 1, 2, { lower: a.lower as number, upper: b.upper as number, count: a.count + b.count, good: a.good + b.good, bad: a.bad + b.bad });
      fitted = woeOf(where, bins, this.smoothing);
    }
  }

  protected fitTable(x: Table, y: TargetValues | undefined): void {
    const where = 'WoEEncoder.fit';
    if (y === undefined) throw new ValueError(`${where}: needs the target y (0 = good, 1 = bad)`);
    if (y.length !== x.nRows) throw new ValueError(`${where}: x has ${x.nRows} rows but y has ${y.length}`);
    const yy = Float64Array.from(y);
    yy.forEach((v, i) => {
      if (v !== 0 && v !== 1) throw new ValueError(`${where}: y at row ${i} is ${v}; WoE needs a binary target (0 = good, 1 = bad)`);
    });
    this.bins = [];
    this.informationValues = {};
    for (const name of x.columnNames) {
      const v = x.column(name);
      const w = `${where} ('${name}')`;
      let bins: WoEBin[];
      const missing = { missing: true, count: 0, good: 0, bad: 0 };
      if (v instanceof Float64Array) {
        const edges = this.edges(v, yy);
        const raw = edges.map((upper, k) => ({ lower: k === 0 ? -Infinity : (edges[k - 1] as number), upper, count: 0, good: 0, bad: 0 }));
        v.forEach((a, i) => {
          const b = Number.isNaN(a) ? missing : (raw.find((r) => a < r.upper) as (typeof raw)[number]);
          b.count++;
          yy[i] === 1 ? b.bad++ : b.good++;
        });
        const merged = this.mergeMonotonic(w, name, raw.filter((r) => r.count > 0));
        bins = missing.count > 0 ? woeOf(w, [...merged, missing], this.smoothing) : merged;
      } else {
        const byCat = new Map<string, { categories: string[]; count: number; good: number; bad: number }>();
        v.forEach((c, i) => {
          if (c !== null && !byCat.has(c)) byCat.set(c, { categories: [c], count: 0, good: 0, bad: 0 });
          const b = c === null ? missing : (byCat.get(c) as { count: number; good: number; bad: number });
          b.count++;
          yy[i] === 1 ? b.bad++ : b.good++;
        });
        const cats = [...byCat.keys()].sort().map((c) => byCat.get(c) as { categories: string[]; count: number; good: number; bad: number });
        bins = woeOf(w, missing.count > 0 ? [...cats, missing] : cats, this.smoothing);
      }
      this.bins.push(bins);
      this.informationValues[name] = ivOf(bins, this.smoothing);
    }
  }

  protected transformTable(x: Table): Table {
    const names = x.columnNames;
    return numericTable(
      names,
      names.map((name, j) => {
        const bins = this.bins[j] as WoEBin[];
        const missing = bins.find((b) => b.missing);
        const v = x.column(name);
        return Float64Array.from({ length: x.nRows }, (_, i) => {
          const a = v[i] as number | string | null;
          if (a === null || (typeof a === 'number' && Number.isNaN(a))) {
            // A feature without missing values in fit: a missing value gets the neutral WoE 0.
            return missing?.woe ?? 0;
          }
          const b = typeof a === 'number' ? bins.find((r) => !r.missing && a < (r.upper as number)) : bins.find((r) => r.categories?.includes(a));
          // An unseen category: neutral WoE 0 (no evidence either way).
          return b?.woe ?? 0;
        });
      }),
    );
  }

  protected namesOut(namesIn: string[]): string[] {
    return namesIn;
  }

  protected fittedState(): Record<string, unknown> {
    // JSON has no Infinity: the open ends are written as null.
    return { bins: this.bins.map((bs) => bs.map((b) => ({ ...b, ...(b.lower === undefined ? {} : { lower: Number.isFinite(b.lower) ? b.lower : null }), ...(b.upper === undefined ? {} : { upper: Number.isFinite(b.upper) ? b.upper : null }) }))), informationValues: this.informationValues };
  }

  restoreState(state: Record<string, unknown>): void {
    const bins = state['bins'];
    if (!Array.isArray(bins) || !bins.every(Array.isArray)) throw new ValueError('WoEEncoder: saved state needs bins (a list per feature)');
    this.bins = (bins as Record<string, unknown>[][]).map((bs) =>
      bs.map((b) => ({ ...(b as unknown as WoEBin), ...('lower' in b ? { lower: b['lower'] === null ? -Infinity : (b['lower'] as number) } : {}), ...('upper' in b ? { upper: b['upper'] === null ? Infinity : (b['upper'] as number) } : {}) })),
    );
    this.informationValues = { ...(state['informationValues'] as Record<string, number>) };
  }
}

registerTransformer('WoEEncoder', (p) => new WoEEncoder(p as WoEEncoderOptions));
