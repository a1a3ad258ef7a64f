// A vectorised backtest of one asset: a signal becomes positions, positions earn the next
// periods' returns less trading costs, and the strategy is summarised the usual way.
//   position_t = clip(signal_{t−lag}, −maxLeverage, maxLeverage)   (lag ≥ 1: no look-ahead)
//   r^s_t      = position_t · r_t − cost · |position_t − position_{t−1}|
// Returns are simple returns per period; the equity curve compounds them. Sharpe and Sortino
// are annualised with √periodsPerYear from the mean and the (downside) deviation of r^s.
import { ArgumentError, ShapeError } from '../../errors.js';
import { is, readOptions } from '../../validate.js';
import { type SeriesLike, readSeries } from './series.js';

export interface BacktestOptions {
  /** Periods between a signal and the trade it causes (default 1: today's signal trades tomorrow). */
  lag?: number;
  /** Cost per unit of position traded, as a fraction (default 0; 0.0005 = 5 basis points). */
  cost?: number;
  /** Positions are clipped to ±maxLeverage (default 1). */
  maxLeverage?: number;
  /** For annualising Sharpe, Sortino, return and volatility (default 252 trading days). */
  periodsPerYear?: number;
  /** Per-period risk-free return subtracted before Sharpe and Sortino (default 0). */
  riskFree?: number;
}

const spec = {
  lag: is.int({ min: 0 }),
  cost: is.number({ min: 0 }),
  maxLeverage: is.number({ min: 0, minOpen: true }),
  periodsPerYear: is.number({ min: 0, minOpen: true }),
  riskFree: is.number(),
};

export interface BacktestResult {
  positions: Float64Array;
  /** The strategy's return each period, after costs. */
  returns: Float64Array;
  /** Growth of 1 invested: ∏(1 + r^s). */
  equity: Float64Array;
  totalReturn: number;
  annualReturn: number;
  annualVolatility: number;
  sharpe: number;
  sortino: number;
  /** The largest fall from a running peak of the equity curve, as a positive fraction. */
  maxDrawdown: number;
  /** Mean |Δposition| per period. */
  turnover: number;
  /** Share of periods with a position in which the strategy made money. */
  hitRate: number;
  /** Total cost paid, as a sum of per-period returns. */
  costs: number;
}

/**
 * Runs `signal` (one value per period; its sign and size are the wanted position) against
 * `returns` (the asset's simple return each period, same length). A lag of 0 trades on the
 * same period's signal, which is look-ahead unless the signal was known before the period
 * opened: it is allowed, but only when asked for.
 */
export function backtest(signal: SeriesLike, returns: SeriesLike, options?: BacktestOptions): BacktestResult {
  const o = readOptions('backtest', options, spec);
  const s = readSeries('backtest', 'signal', signal);
  const r = readSeries('backtest', 'returns', returns);
  if (s.length !== r.length) throw new ShapeError(`backtest: ${s.length} signal values but ${r.length} returns`);
  const lag = o.lag ?? 1;
  if (lag >= r.length) throw new ArgumentError(`backtest: lag ${lag} leaves no period to trade in a series of ${r.length}`, 'backtest', 'lag');
  const lev = o.maxLeverage ?? 1;
  const cost = o.cost ?? 0;
  const ppy = o.periodsPerYear ?? 252;
  const rf = o.riskFree ?? 0;
  const n = r.length;

  const positions = new Float64Array(n);
  for (let t = lag; t < n; t++) positions[t] = Math.max(-lev, Math.min(lev, s[t - lag] as number));
  const out = new Float64Array(n);
  const equity = new Float64Array(n);
  let value = 1;
  let peak = 1;
  let maxDrawdown = 0;
  let traded = 0;
  let costs = 0;
  let active = 0;
  let hits = 0;
  for (let t = 0; t < n; t++) {
    const change = Math.abs((positions[t] as number) - (t > 0 ? (positions[t - 1] as number) : 0));
    traded += change;
    costs += cost * change;
    const ret = (positions[t] as number) * (r[t] as number) - cost * change;
    out[t] = ret;
    if (positions[t] !== 0) {
      active++;
      if (ret > 0) hits++;
    }
    value *= 1 + ret;
    equity[t] = value;
    peak = Math.max(peak, value);
    maxDrawdown = Math.max(maxDrawdown, 1 - value / peak);
  }
  // Statistics over the periods that can trade (the first `lag` have no position by design).
  const live = out.subarray(lag);
  const m = live.length;
  let mean = 0;
  for (const v of live) mean += (v - rf) / m;
  let ss = 0;
  let down = 0;
  for (const v of live) {
    ss += (v - rf - mean) ** 2;
    down += Math.min(0, v - rf) ** 2;
  }
  const sd = m > 1 ? Math.sqrt(ss / (m - 1)) : NaN;
  const downside = Math.sqrt(down / m);
  const totalReturn = value - 1;
  return {
    positions,
    returns: out,
    equity,
    totalReturn,
    annualReturn: value > 0 ? value ** (ppy / m) - 1 : -1,
    annualVolatility: sd * Math.sqrt(ppy),
    sharpe: sd > 0 ? (mean / sd) * Math.sqrt(ppy) : NaN,
    sortino: downside > 0 ? (mean / downside) * Math.sqrt(ppy) : NaN,
    maxDrawdown,
    turnover: traded / n,
    hitRate: active > 0 ? hits / active : NaN,
    costs,
  };
}
