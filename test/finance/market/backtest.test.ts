import { describe, expect, it } from 'vitest';
import { ArgumentError, ShapeError } from '../../../src/errors.js';
import { backtest } from '../../../src/finance/market/backtest.js';

describe('backtest arithmetic on a tiny series', () => {
  // Returns of 4 days; a signal that is long, long, short, flat.
  const r = [0.01, -0.02, 0.03, -0.01];
  const signal = [1, 1, -1, 0];

  it('trades the next day, charges costs on position changes, and compounds', () => {
    const b = backtest(signal, r, { cost: 0.001 });
    // Positions lag the signal by one day: [0, 1, 1, -1].
    expect(Array.from(b.positions)).toEqual([0, 1, 1, -1]);
    // Day returns: 0; 1·(−0.02) − 0.001·1; 1·0.03 − 0; −1·(−0.01) − 0.001·2.
    const expected = [0, -0.021, 0.03, 0.008];
    b.returns.forEach((v, i) => expect(v).toBeCloseTo(expected[i] as number, 15));
    const equity = [1, 0.979, 0.979 * 1.03, 0.979 * 1.03 * 1.008];
    b.equity.forEach((v, i) => expect(v).toBeCloseTo(equity[i] as number, 15));
    expect(b.totalReturn).toBeCloseTo(equity[3]! - 1, 15);
    expect(b.maxDrawdown).toBeCloseTo(0.021, 15);
    expect(b.turnover).toBeCloseTo(3 / 4, 15);
    expect(b.costs).toBeCloseTo(0.003, 15);
    expect(b.hitRate).toBeCloseTo(2 / 3, 15);
    // Sharpe over the 3 tradable days: mean / sample sd · √252.
    const live = expected.slice(1);
    const mean = live.reduce((a, v) => a + v, 0) / 3;
    const sd = Math.sqrt(live.reduce((a, v) => a + (v - mean) ** 2, 0) / 2);
    expect(b.sharpe).toBeCloseTo((mean / sd) * Math.sqrt(252), 12);
    const downside = Math.sqrt(0.021 ** 2 / 3);
    expect(b.sortino).toBeCloseTo((mean / downside) * Math.sqrt(252), 12);
  });

  it('clips leverage, and lag 0 trades the same day', () => {
    const b = backtest([3, -3, 0.5, 0], r, { lag: 0, maxLeverage: 2 });
    expect(Array.from(b.positions)).toEqual([2, -2, 0.5, 0]);
  });

  it('names bad input', () => {
    expect(() => backtest([1, 2], [0.1])).toThrow(ShapeError);
    expect(() => backtest([1], [0.1])).toThrow(ArgumentError);
    expect(() => backtest(signal, r, { costs: 0.1 } as never)).toThrow("did you mean 'cost'?");
    expect(() => backtest(signal, r, { cost: -1 })).toThrow('backtest: cost must be a finite number >= 0, got number -1');
    expect(() => backtest(null as never, r)).toThrow('backtest: signal must be an array of numbers or a 1-D tensor, got null');
  });
});
