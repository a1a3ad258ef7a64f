// AR(p) by conditional least squares, statsmodels' AutoReg meanings:
//   y_t = c + φ₁·y_{t−1} + … + φ_p·y_{t−p} + ε_t,   fitted on t = p … n−1.
// The regression is solved in float64 by Householder QR (not the float32 tensor path of
// LinearRegression: return series need every digit to match a reference to 1e-10). The order
// can be chosen by AIC or BIC; like statsmodels' ar_select_order every candidate is fitted on
// the same sample (the first maxLag values held back) so their criteria are comparable, and the
// chosen order is then refitted on the whole series. σ² = RSS / nobs, log L and the criteria as
// statsmodels computes them (−2 log L + penalty · (k + 1), k = regressors).
import { NotFittedError, ValueError } from '../../index.js';
import { ArgumentError } from '../../errors.js';
import { is, readOptions } from '../../validate.js';
import { type SeriesLike, readSeries } from './series.js';

export interface AutoRegOptions {
  /** The order p. Omit to choose it by `criterion` among 0 … maxLag. */
  lags?: number;
  /** The largest order considered when choosing (default 10). */
  maxLag?: number;
  /** 'aic' (default) or 'bic'. */
  criterion?: 'aic' | 'bic';
  /** 'c': with an intercept (default); 'n': none. */
  trend?: 'c' | 'n';
}

const spec = {
  lags: is.int({ min: 0 }),
  maxLag: is.int({ min: 1 }),
  criterion: is.oneOf(['aic', 'bic'] as const),
  trend: is.oneOf(['c', 'n'] as const),
};

interface OlsFit {
  beta: Float64Array;
  /** (RᵀR)⁻¹ diagonal, for the standard errors. */
  covDiag: Float64Array;
  ssr: number;
  nobs: number;
}

/** Least squares of y on the columns of x (each a Float64Array of y's length) by Householder QR. */
function ols(cols: Float64Array[], y: Float64Array): OlsFit {
  const n = y.length;
  const k = cols.length;
  const a = cols.map((c) => Float64Array.from(c));
  const b = Float64Array.from(y);
  const r = Array.from({ length: k }, () => new Float64Array(k));
  for (let j = 0; j < k; j++) {
    const col = a[j] as Float64Array;
    let norm = 0;
    for (let i = j; i < n; i++) norm += (col[i] as number) ** 2;
    norm = Math.sqrt(norm);
    if (!(norm > 0)) throw new ValueError(`AutoReg.fit: the regressors are collinear (column ${j} is a combination of the others); use fewer lags or more data`);
    const alpha = (col[j] as number) > 0 ? -norm : norm;
    // v = x − α e_j, stored in place; H = I − 2vvᵀ/vᵀv applied to the remaining columns and b.
    col[j] = (col[j] as number) - alpha;
    let vv = 0;
    for (let i = j; i < n; i++) vv += (col[i] as number) ** 2;
    const reflect = (target: Float64Array): void => {
      let dot = 0;
      for (let i = j; i < n; i++) dot += (col[i] as number) * (target[i] as number);
      const f = (2 * dot) / vv;
      for (let i = j; i < n; i++) target[i] = (target[i] as number) - f * (col[i] as number);
    };
    for (let c = j + 1; c < k; c++) reflect(a[c] as Float64Array);
    reflect(b);
    (r[j] as Float64Array)[j] = alpha;
    for (let c = j + 1; c < k; c++) (r[j] as Float64Array)[c] = (a[c] as Float64Array)[j] as number;
  }
  const diagMax = Math.max(...r.map((row, j) => Math.abs(row[j] as number)));
  if (r.some((row, j) => Math.abs(row[j] as number) < 1e-12 * diagMax)) {
    throw new ValueError('AutoReg.fit: the regressors are collinear; use fewer lags or more data');
  }
  // Back-substitution Rβ = (Qᵀb)[0:k]; the residual sum of squares is ‖(Qᵀb)[k:n]‖².
  const beta = new Float64Array(k);
  for (let j = k - 1; j >= 0; j--) {
    let s = b[j] as number;
    for (let c = j + 1; c < k; c++) s -= ((r[j] as Float64Array)[c] as number) * (beta[c] as number);
    beta[j] = s / ((r[j] as Float64Array)[j] as number);
  }
  let ssr = 0;
  for (let i = k; i < n; i++) ssr += (b[i] as number) ** 2;
  // diag((RᵀR)⁻¹) = row norms² of R⁻¹.
  const rinv = Array.from({ length: k }, () => new Float64Array(k));
  for (let c = 0; c < k; c++) {
    for (let j = k - 1; j >= 0; j--) {
      let s = j === c ? 1 : 0;
      for (let m = j + 1; m < k; m++) s -= ((r[j] as Float64Array)[m] as number) * ((rinv[m] as Float64Array)[c] as number);
      (rinv[j] as Float64Array)[c] = s / ((r[j] as Float64Array)[j] as number);
    }
  }
  const covDiag = Float64Array.from(rinv, (row) => row.reduce((s, v) => s + v * v, 0));
  return { beta, covDiag, ssr, nobs: n };
}

/** The design of AR(p) on y from index `holdBack` on: [const?, y_{t−1}, …, y_{t−p}]. */
function design(y: Float64Array, p: number, holdBack: number, trend: 'c' | 'n'): { cols: Float64Array[]; target: Float64Array } {
  const rows = y.length - holdBack;
  const cols: Float64Array[] = [];
  if (trend === 'c') cols.push(new Float64Array(rows).fill(1));
  for (let lag = 1; lag <= p; lag++) cols.push(y.slice(holdBack - lag, holdBack - lag + rows));
  return { cols, target: y.slice(holdBack) };
}

function criteria(fit: OlsFit): { llf: number; aic: number; bic: number; sigma2: number } {
  const sigma2 = fit.ssr / fit.nobs;
  const llf = (-fit.nobs / 2) * (Math.log(2 * Math.PI) + Math.log(sigma2) + 1);
  const k = fit.beta.length + 1;
  return { llf, sigma2, aic: -2 * llf + 2 * k, bic: -2 * llf + Math.log(fit.nobs) * k };
}

interface Fitted {
  order: number;
  intercept: number;
  coef: Float64Array;
  stdErrors: Float64Array;
  sigma2: number;
  llf: number;
  aic: number;
  bic: number;
  nobs: number;
  history: Float64Array;
  selection: Array<{ order: number; aic: number; bic: number }>;
}

/** An autoregressive model of one series (see the file header). */
export class AutoReg {
  private readonly options: AutoRegOptions;
  private fitted: Fitted | null = null;

  constructor(options?: AutoRegOptions) {
    this.options = readOptions('AutoReg', options, spec);
    if (this.options.lags !== undefined && this.options.maxLag !== undefined) {
      throw new ArgumentError('AutoReg: give lags (a fixed order) or maxLag (choose the order), not both', 'AutoReg', 'maxLag');
    }
  }

  /** Fits to a series (choosing the order first when `lags` was not given). Returns this. */
  fit(series: SeriesLike): this {
    const y = readSeries('AutoReg.fit', 'series', series, { minLength: 3 });
    const trend = this.options.trend ?? 'c';
    const k0 = trend === 'c' ? 1 : 0;
    let order = this.options.lags;
    const selection: Fitted['selection'] = [];
    if (order === undefined) {
      const maxLag = this.options.maxLag ?? 10;
      if (y.length - maxLag <= maxLag + k0 + 1) throw new ValueError(`AutoReg.fit: ${y.length} values are too few to compare orders up to maxLag ${maxLag}`);
      const crit = this.options.criterion ?? 'aic';
      let best = Infinity;
      for (let p = trend === 'c' ? 0 : 1; p <= maxLag; p++) {
        const { cols, target } = design(y, p, maxLag, trend);
        const c = criteria(ols(cols, target));
        selection.push({ order: p, aic: c.aic, bic: c.bic });
        if (c[crit] < best) {
          best = c[crit];
          order = p;
        }
      }
    }
    const p = order as number;
    if (y.length - p < p + k0 + 1) throw new ValueError(`AutoReg.fit: ${y.length} values are too few for an AR(${p}) model`);
    const { cols, target } = design(y, p, p, trend);
    const fit = ols(cols, target);
    const c = criteria(fit);
    this.fitted = {
      order: p,
      intercept: trend === 'c' ? (fit.beta[0] as number) : 0,
      coef: fit.beta.slice(k0),
      stdErrors: fit.covDiag.map((v) => Math.sqrt(v * c.sigma2)),
      ...c,
      nobs: fit.nobs,
      history: y.slice(y.length - p),
      selection,
    };
    return this;
  }

  private state(where: string): Fitted {
    if (this.fitted === null) throw new NotFittedError(`AutoReg.${where}: call fit() first`);
    return this.fitted;
  }

  get order(): number {
    return this.state('order').order;
  }
  /** The intercept c (0 with trend 'n'). */
  get intercept(): number {
    return this.state('intercept').intercept;
  }
  /** φ₁ … φ_p. */
  get coef(): Float64Array {
    return this.state('coef').coef.slice();
  }
  /** OLS standard errors: the intercept's first (with trend 'c'), then φ₁ … φ_p. */
  get stdErrors(): Float64Array {
    return this.state('stdErrors').stdErrors.slice();
  }
  get sigma2(): number {
    return this.state('sigma2').sigma2;
  }
  get logLikelihood(): number {
    return this.state('logLikelihood').llf;
  }
  get aic(): number {
    return this.state('aic').aic;
  }
  get bic(): number {
    return this.state('bic').bic;
  }
  get nobs(): number {
    return this.state('nobs').nobs;
  }
  /** AIC and BIC of every order compared (empty when the order was given). */
  get selection(): Array<{ order: number; aic: number; bic: number }> {
    return this.state('selection').selection.map((s) => ({ ...s }));
  }

  /** Forecasts `steps` values after the end of `history` (default: the training series). */
  forecast(steps = 1, history?: SeriesLike): Float64Array {
    const f = this.state('forecast');
    const h = is.int({ min: 1 })(steps, 'AutoReg.forecast: steps');
    const past = history === undefined ? f.history : readSeries('AutoReg.forecast', 'history', history, { minLength: f.order });
    const buf = Array.from(past.slice(past.length - f.order));
    const out = new Float64Array(h);
    for (let s = 0; s < h; s++) {
      let v = f.intercept;
      for (let j = 0; j < f.order; j++) v += (f.coef[j] as number) * (buf[buf.length - 1 - j] as number);
      out[s] = v;
      buf.push(v);
    }
    return out;
  }

  /** One-step-ahead predictions of series[t] from the p values before it, for t = p … n−1. */
  predictOneStep(series: SeriesLike): Float64Array {
    const f = this.state('predictOneStep');
    const y = readSeries('AutoReg.predictOneStep', 'series', series, { minLength: f.order + 1 });
    return Float64Array.from({ length: y.length - f.order }, (_, i) => {
      let v = f.intercept;
      for (let j = 0; j < f.order; j++) v += (f.coef[j] as number) * (y[i + f.order - 1 - j] as number);
      return v;
    });
  }
}
