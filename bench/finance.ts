// Finance-toolkit timings: GARCH(1,1) maximum likelihood on ~4,400 daily returns, fitted by the
// fused float64 recursion (src/finance/market/garch.ts), against one likelihood-and-gradient
// evaluation written the naive way — the recursion as a graph of scalar fingrad ops, which is
// what a user writing GARCH with the autograd engine gets.
import { existsSync, readFileSync } from 'node:fs';
import * as fg from '../src/index.js';
import { GARCH } from '../src/finance/market/garch.js';
import { logReturns } from '../src/finance/market/series.js';
import { measure } from './support/measure.js';

export interface FinanceBench {
  series: string;
  days: number;
  garchFitMs: number;
  garchIterations: number;
  graphEvalMs: number;
}

function returnsSeries(): { name: string; r: Float64Array } {
  const file = new URL('../../shared/data/GSPC_daily_2001-01-02_2018-08-01.csv', import.meta.url);
  if (existsSync(file)) {
    const lines = readFileSync(file, 'utf8').trim().split('\n').slice(1);
    const close = lines.map((l) => Number(l.split(',')[4]));
    return { name: 'S&P 500 daily log returns 2001–2018', r: logReturns(close) };
  }
  return { name: 'simulated GARCH(1,1), 4,400 days (../shared/data absent)', r: GARCH.simulate({ mu: 3e-4, omega: 2e-6, alpha: 0.08, beta: 0.9 }, 4400, 1) };
}

// −log L and its gradient through the autograd graph: 4 ops per day, a node each.
function graphEvaluation(r: Float64Array): void {
  fg.tidy(() => {
    const params = fg.tensor([0, 0.05, 0.05, 0.9], undefined, { requiresGrad: true });
    const [mu, omega, alpha, beta] = [0, 1, 2, 3].map((i) => fg.select(params, 0, i));
    let s2 = fg.tensor(1);
    let nll = fg.tensor(0);
    for (let t = 0; t < r.length; t++) {
      const e = fg.sub(fg.tensor(r[t] as number), mu as fg.Tensor);
      if (t > 0) s2 = fg.add(fg.add(omega as fg.Tensor, fg.mul(alpha as fg.Tensor, fg.square(fg.sub(fg.tensor(r[t - 1] as number), mu as fg.Tensor)))), fg.mul(beta as fg.Tensor, s2));
      nll = fg.add(nll, fg.add(fg.log(s2), fg.div(fg.square(e), s2)));
    }
    nll.backward();
  });
}

export async function benchFinance(timeMs: number): Promise<FinanceBench> {
  const { name, r } = returnsSeries();
  const scaled = r.map((v) => v / 0.012);
  let iterations = 0;
  const fit = await measure(() => {
    iterations = new GARCH().fit(r).iterations;
  }, timeMs);
  const graph = await measure(() => graphEvaluation(scaled), timeMs);
  return { series: name, days: r.length, garchFitMs: fit.medianMs, garchIterations: iterations, graphEvalMs: graph.medianMs };
}
