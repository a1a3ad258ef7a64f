import { is } from '../validate.js';
// Generated credit-applicant data: the engine's built-in sample set, so that the main job,
// examples and tests need no download. The default risk follows a known logistic model of the
// features (with two nonlinear effects), so a fitted model has a right answer to find.
import { dataRng, gaussian } from './rng.js';

/** One column of the generated applicant table. */
export interface CreditFeature {
  name: string;
  description: string;
}

export const CREDIT_FEATURES: readonly CreditFeature[] = [
  { name: 'income', description: 'annual income, thousands' },
  { name: 'debt_ratio', description: 'monthly debt payments / monthly income' },
  { name: 'age', description: 'years' },
  { name: 'utilisation', description: 'revolving balance / credit limit' },
  { name: 'late_payments', description: 'payments 30+ days late in the last two years' },
  { name: 'years_employed', description: 'years with the current employer' },
  { name: 'loan_amount', description: 'requested amount, thousands' },
  { name: 'open_accounts', description: 'number of open credit lines' },
] as const;

export interface CreditData {
  /** Row-major [n, features] raw feature values. */
  x: Float32Array;
  /** 1 = defaulted, 0 = repaid. */
  y: Float32Array;
  n: number;
  features: readonly CreditFeature[];
}

/** `n` applicants with plausible marginals and a default rate of roughly 25%. */
export function generateCredit(n: number, seed = 1): CreditData {
  is.int({ min: 1 })(n, 'generateCredit: n');
  const rand = dataRng(is.int()(seed, 'generateCredit: seed'));
  const d = CREDIT_FEATURES.length;
  const x = new Float32Array(n * d);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const income = Math.exp(3.9 + 0.5 * gaussian(rand));
    const debtRatio = Math.min(0.95, Math.max(0, 0.3 + 0.15 * gaussian(rand)));
    const age = Math.round(Math.min(80, Math.max(19, 42 + 12 * gaussian(rand))));
    const utilisation = Math.min(1, Math.max(0, 0.35 + 0.25 * gaussian(rand)));
    const late = Math.floor(-Math.log(Math.max(rand(), 1e-9)) * 0.8);
    const employed = Math.max(0, Math.min(age - 18, -Math.log(Math.max(rand(), 1e-9)) * 6));
    const loan = Math.exp(2.5 + 0.7 * gaussian(rand));
    const accounts = Math.round(Math.max(0, 5 + 3 * gaussian(rand)));
    const row = [income, debtRatio, age, utilisation, late, employed, loan, accounts];
    row.forEach((v, j) => (x[i * d + j] = v));
    // Mostly additive, with two effects a linear score cannot express: risk jumps once debt
    // passes 45% of income, and late payments weigh more for a maxed-out applicant.
    const logit =
      -1.9 - 0.9 * Math.log(income / 50) + 2.0 * (debtRatio - 0.3) - 0.02 * (age - 42) + 1.2 * (utilisation - 0.35) +
      0.5 * late - 0.05 * employed + 0.35 * Math.log(loan / 12) + 0.02 * (accounts - 5) +
      (debtRatio > 0.45 ? 1.8 : 0) + (utilisation > 0.7 ? 0.9 * Math.min(late, 4) : 0);
    y[i] = rand() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
  }
  return { x, y, n, features: CREDIT_FEATURES };
}

/** Column means and standard deviations of a row-major [n, d] table. */
export function columnStats(x: Float32Array, n: number, d: number): { mean: Float64Array; std: Float64Array } {
  const mean = new Float64Array(d);
  const std = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] = (mean[j] as number) + (x[i * d + j] as number) / n;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) std[j] = (std[j] as number) + ((x[i * d + j] as number) - (mean[j] as number)) ** 2 / n;
  for (let j = 0; j < d; j++) std[j] = Math.sqrt(std[j] as number) || 1;
  return { mean, std };
}

/** (x − mean) / std per column, as a new array. */
export function standardize(x: Float32Array, n: number, d: number, stats: { mean: Float64Array; std: Float64Array }): Float32Array {
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) out[i * d + j] = ((x[i * d + j] as number) - (stats.mean[j] as number)) / (stats.std[j] as number);
  }
  return out;
}
