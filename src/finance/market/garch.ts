// GARCH(1,1) with a constant (or zero) mean, by Gaussian maximum likelihood:
//   r_t = μ + ε_t,   σ²_t = ω + α·ε²_{t−1} + β·σ²_{t−1},   −log L = ½ Σ (log 2π + log σ²_t + ε²_t/σ²_t).
// The variance recursion and its gradient run as one float64 loop (forward-mode derivatives of
// σ²_t carried beside it), not as a graph of thousands of scalar ops: a fit on 4,400 daily
// returns is a few hundred of these O(n) passes. The returns are divided by their standard
// deviation first (ω of daily returns is ~1e-6, badly scaled for the optimiser) and the
// estimates scaled back. Stationarity (α, β ≥ 0, α + β < 1) and ω > 0 hold by construction:
// the optimiser works on θ = (μ, log ω, a, b) with α = eᵃ/D, β = eᵇ/D, D = 1 + eᵃ + eᵇ.
// Standard errors come from the inverse Hessian of −log L in (μ, ω, α, β), by central
// differences of the analytic gradient (the classical, non-robust covariance).
import { NotFittedError, ValueError, minimizeLbfgs } from '../../index.js';
import { is, readOptions } from '../../validate.js';
import { invert } from '../dense.js';
import { type SeriesLike, readSeries } from './series.js';

export interface GARCHOptions {
  /** 'constant' (estimate μ, default) or 'zero' (μ = 0). */
  mean?: 'constant' | 'zero';
  /** Most L-BFGS iterations (default 500). */
  maxIter?: number;
  /** Stop when the largest gradient entry of the scaled −log L is below this (default 1e-6). */
  tol?: number;
}

const spec = { mean: is.oneOf(['constant', 'zero'] as const), maxIter: is.int({ min: 1 }), tol: is.number({ min: 0, minOpen: true }) };

/** μ, ω, α, β in the units of the returns given to `fit`. */
export interface GARCHParams {
  mu: number;
  omega: number;
  alpha: number;
  beta: number;
}

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * −log L of y (already scaled) at natural parameters p = [μ, ω, α, β]; writes ∂/∂p into `grad`
 * when given, and σ²_t into `variance` when given. σ²_0 is the fixed backcast `bc`.
 */
function negLogLik(y: Float64Array, p: ArrayLike<number>, bc: number, grad?: Float64Array, variance?: Float64Array): number {
  const [mu, omega, alpha, beta] = p as [number, number, number, number];
  let s2 = bc;
  let dMu = 0;
  let dOm = 0;
  let dAl = 0;
  let dBe = 0;
  let nll = 0;
  let gMu = 0;
  let gOm = 0;
  let gAl = 0;
  let gBe = 0;
  let ePrev = 0;
  for (let t = 0; t < y.length; t++) {
    if (t > 0) {
      // d σ²_t = d(ω + α ε²_{t−1} + β σ²_{t−1}); uses σ²_{t−1} and its derivatives before updating.
      dMu = -2 * alpha * ePrev + beta * dMu;
      dOm = 1 + beta * dOm;
      dAl = ePrev * ePrev + beta * dAl;
      dBe = s2 + beta * dBe;
      s2 = omega + alpha * ePrev * ePrev + beta * s2;
    }
    const e = (y[t] as number) - mu;
    if (variance !== undefined) variance[t] = s2;
    nll += 0.5 * (LOG_2PI + Math.log(s2) + (e * e) / s2);
    const w = 0.5 * (1 / s2 - (e * e) / (s2 * s2)); // ∂ℓ_t/∂σ²_t
    gMu += w * dMu - e / s2;
    gOm += w * dOm;
    gAl += w * dAl;
    gBe += w * dBe;
    ePrev = e;
  }
  if (grad !== undefined) grad.set([gMu, gOm, gAl, gBe]);
  return nll;
}

function toNatural(theta: Float64Array): [number, number, number, number] {
  const ea = Math.exp(theta[2] as number);
  const eb = Math.exp(theta[3] as number);
  const d = 1 + ea + eb;
  return [theta[0] as number, Math.exp(theta[1] as number), ea / d, eb / d];
}

/** GARCH(1,1) volatility model fitted by maximum likelihood (see the file header). */
export class GARCH {
  private readonly options: Required<GARCHOptions>;
  private fitted: {
    params: GARCHParams;
    stdErrors: GARCHParams;
    logLikelihood: number;
    volatility: Float64Array;
    lastResidual: number;
    lastVariance: number;
    converged: boolean;
    iterations: number;
  } | null = null;

  constructor(options?: GARCHOptions) {
    const o = readOptions('GARCH', options, spec);
    this.options = { mean: o.mean ?? 'constant', maxIter: o.maxIter ?? 500, tol: o.tol ?? 1e-6 };
  }

  /** Fits to a series of returns (at least 30; daily log returns, say). Returns this. */
  fit(returns: SeriesLike): this {
    const r = readSeries('GARCH.fit', 'returns', returns, { minLength: 30 });
    const n = r.length;
    let mean = 0;
    for (const v of r) mean += v / n;
    let ss = 0;
    for (const v of r) ss += (v - mean) ** 2;
    const scale = Math.sqrt(ss / (n - 1));
    let level = 0;
    for (const v of r) level = Math.max(level, Math.abs(v));
    if (!(scale > 1e-9 * level)) throw new ValueError('GARCH.fit: the returns have zero variance; there is no volatility to model');
    const y = r.map((v) => v / scale);
    const zeroMean = this.options.mean === 'zero';
    // Backcast σ²_0: the sample second moment about the mean model (a constant of the data).
    const m0 = zeroMean ? 0 : mean / scale;
    let bc = 0;
    for (const v of y) bc += (v - m0) ** 2 / n;

    const nat = new Float64Array(4);
    const objective = (theta: Float64Array, grad: Float64Array): number => {
      const p = toNatural(theta);
      if (zeroMean) p[0] = 0;
      const f = negLogLik(y, p, bc, nat);
      const [, omega, alpha, beta] = p;
      // Chain rule from (μ, ω, α, β) to θ = (μ, log ω, a, b).
      grad[0] = zeroMean ? 0 : (nat[0] as number);
      grad[1] = (nat[1] as number) * omega;
      grad[2] = (nat[2] as number) * alpha * (1 - alpha) - (nat[3] as number) * alpha * beta;
      grad[3] = (nat[3] as number) * beta * (1 - beta) - (nat[2] as number) * alpha * beta;
      return f;
    };
    // Start at α = 0.05, β = 0.90 with ω giving the sample variance (≈ 1 after scaling).
    const theta0 = Float64Array.from([m0, Math.log(0.05 * bc), Math.log(0.05 / 0.05), Math.log(0.9 / 0.05)]);
    const res = minimizeLbfgs(objective, theta0, { maxIter: this.options.maxIter, gtol: this.options.tol, ftol: 1e-15 });
    const p = toNatural(res.theta);
    if (zeroMean) p[0] = 0;

    const se = this.standardErrors(y, p, bc, zeroMean);
    const variance = new Float64Array(n);
    const nll = negLogLik(y, p, bc, undefined, variance);
    const [mu, omega, alpha, beta] = p;
    this.fitted = {
      params: { mu: mu * scale, omega: omega * scale * scale, alpha, beta },
      stdErrors: { mu: se[0] * scale, omega: se[1] * scale * scale, alpha: se[2], beta: se[3] },
      // The likelihood of the returns themselves: the scaling's Jacobian is −n·log(scale).
      logLikelihood: -nll - n * Math.log(scale),
      volatility: variance.map((v) => Math.sqrt(v) * scale),
      lastResidual: ((y[n - 1] as number) - mu) * scale,
      lastVariance: (variance[n - 1] as number) * scale * scale,
      converged: res.reason === 'gtol' || res.reason === 'ftol',
      iterations: res.iterations,
    };
    return this;
  }

  // √diag(H⁻¹) of −log L in the scaled natural parameters; NaN where H is singular (a
  // parameter on its bound) or the estimate is not a minimum.
  private standardErrors(y: Float64Array, p: number[], bc: number, zeroMean: boolean): [number, number, number, number] {
    const idx = zeroMean ? [1, 2, 3] : [0, 1, 2, 3];
    const g1 = new Float64Array(4);
    const g2 = new Float64Array(4);
    const h = idx.map(() => new Array<number>(idx.length).fill(0));
    idx.forEach((i, a) => {
      const step = 1e-5 * Math.max(Math.abs(p[i] as number), 1e-2);
      const up = [...p];
      const down = [...p];
      up[i] = (up[i] as number) + step;
      down[i] = (down[i] as number) - step;
      negLogLik(y, up, bc, g1);
      negLogLik(y, down, bc, g2);
      idx.forEach((j, b) => ((h[a] as number[])[b] = ((g1[j] as number) - (g2[j] as number)) / (2 * step)));
    });
    const sym = h.map((row, a) => row.map((v, b) => 0.5 * (v + ((h[b] as number[])[a] as number))));
    const inv = invert(sym);
    const out: [number, number, number, number] = [zeroMean ? 0 : NaN, NaN, NaN, NaN];
    if (inv !== null) idx.forEach((i, a) => (out[i] = Math.sqrt(((inv[a] as number[])[a] as number)) || NaN));
    return out;
  }

  private state(where: string): NonNullable<GARCH['fitted']> {
    if (this.fitted === null) throw new NotFittedError(`GARCH.${where}: call fit() first`);
    return this.fitted;
  }

  /** μ, ω, α, β. */
  get params(): GARCHParams {
    return { ...this.state('params').params };
  }

  /** Standard errors of the estimates from the inverse Hessian (NaN for a parameter on its bound). */
  get stdErrors(): GARCHParams {
    return { ...this.state('stdErrors').stdErrors };
  }

  /** Log-likelihood of the returns at the estimates. */
  get logLikelihood(): number {
    return this.state('logLikelihood').logLikelihood;
  }

  /** σ_t for every day of the training series (the in-sample conditional volatility). */
  get conditionalVolatility(): Float64Array {
    return this.state('conditionalVolatility').volatility.slice();
  }

  /** α + β: how slowly a volatility shock decays (half-life ln ½ / ln(α + β) days). */
  get persistence(): number {
    const { alpha, beta } = this.state('persistence').params;
    return alpha + beta;
  }

  /** ω / (1 − α − β): the variance the forecasts revert to. */
  get unconditionalVariance(): number {
    const { omega, alpha, beta } = this.state('unconditionalVariance').params;
    return omega / (1 - alpha - beta);
  }

  get converged(): boolean {
    return this.state('converged').converged;
  }

  get iterations(): number {
    return this.state('iterations').iterations;
  }

  /** Forecast variances σ²_{T+1}, …, σ²_{T+horizon} after the last training day. */
  forecastVariance(horizon = 1): Float64Array {
    const s = this.state('forecastVariance');
    const h = is.int({ min: 1 })(horizon, 'GARCH.forecastVariance: horizon');
    const { omega, alpha, beta } = s.params;
    const out = new Float64Array(h);
    let v = omega + alpha * s.lastResidual * s.lastResidual + beta * s.lastVariance;
    for (let k = 0; k < h; k++) {
      out[k] = v;
      v = omega + (alpha + beta) * v;
    }
    return out;
  }

  /**
   * σ²_t of another series of returns under the fitted parameters (σ²_0 the unconditional
   * variance): out-of-sample one-step variance forecasts, σ²_t using returns before t only.
   */
  conditionalVariance(returns: SeriesLike): Float64Array {
    const { mu, omega, alpha, beta } = this.state('conditionalVariance').params;
    const r = readSeries('GARCH.conditionalVariance', 'returns', returns);
    const out = new Float64Array(r.length);
    let v = omega / (1 - alpha - beta);
    for (let t = 0; t < r.length; t++) {
      if (t > 0) v = omega + alpha * ((r[t - 1] as number) - mu) ** 2 + beta * v;
      out[t] = v;
    }
    return out;
  }

  /** Simulates `n` returns from given parameters (for tests and examples), seeded. */
  static simulate(params: GARCHParams, n: number, seed = 0): Float64Array {
    const { mu, omega, alpha, beta } = params;
    if (!(omega > 0 && alpha >= 0 && beta >= 0 && alpha + beta < 1)) {
      throw new ValueError(`GARCH.simulate: need ω > 0, α, β ≥ 0 and α + β < 1, got ω=${omega}, α=${alpha}, β=${beta}`);
    }
    const len = is.int({ min: 1 })(n, 'GARCH.simulate: n');
    let state = (seed >>> 0) || 0x9e3779b9;
    const uniform = (): number => {
      // xorshift32: a fixed, documented stream so that a seed gives the same series everywhere.
      state ^= state << 13;
      state >>>= 0;
      state ^= state >>> 17;
      state ^= state << 5;
      state >>>= 0;
      return (state + 0.5) / 4294967296;
    };
    const out = new Float64Array(len);
    let v = omega / (1 - alpha - beta);
    let ePrev = 0;
    for (let t = 0; t < len; t++) {
      if (t > 0) v = omega + alpha * ePrev * ePrev + beta * v;
      const z = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
      ePrev = Math.sqrt(v) * z;
      out[t] = mu + ePrev;
    }
    return out;
  }
}
