// Generated loan applicants with the mess of a real application file: numeric and categorical
// fields, missing values (some of them informative), a rare category, skewed incomes, and about
// 20% defaults driven by a known rule with thresholds and an interaction. The default data of the
// `fingrad demo credit` job and of the command-line tests; seeded, so reproducible everywhere.
import { dataRng, gaussian } from '../index.js';
import { is } from '../validate.js';

/** Columns by name: numbers (null where missing), strings (null where missing) or booleans. */
export interface Applicants {
  columns: {
    id: string[];
    age: number[];
    income: Array<number | null>;
    employment: Array<string | null>;
    housing: string[];
    purpose: string[];
    region: string[];
    utilisation: number[];
    latePayments: number[];
    debtRatio: Array<number | null>;
    monthsAtAddress: Array<number | null>;
    coApplicant: boolean[];
    default: number[];
  };
  /** The name of the target column. */
  target: 'default';
}

function pick<T>(rand: () => number, items: ReadonlyArray<readonly [T, number]>): T {
  let u = rand();
  for (const [v, p] of items) {
    if (u < p) return v;
    u -= p;
  }
  return (items[items.length - 1] as readonly [T, number])[0];
}

const EMPLOYMENT = [['salaried', 0.62], ['self-employed', 0.15], ['contract', 0.1], ['retired', 0.08], ['unemployed', 0.05]] as const;
const HOUSING = [['mortgage', 0.42], ['rent', 0.38], ['own', 0.2]] as const;
const PURPOSE = [['car', 0.3], ['debt consolidation', 0.28], ['home improvement', 0.2], ['education', 0.1], ['other', 0.12]] as const;
const REGION = [['north', 0.24], ['south', 0.26], ['east', 0.2], ['west', 0.2], ['capital', 0.09], ['islands', 0.01]] as const;
const EMPLOYMENT_RISK: Record<string, number> = { salaried: 0, 'self-employed': 0.35, contract: 0.25, retired: -0.1, unemployed: 1.1 };
const HOUSING_RISK: Record<string, number> = { mortgage: 0, rent: 0.3, own: -0.25 };
const PURPOSE_RISK: Record<string, number> = { car: 0, 'debt consolidation': 0.35, 'home improvement': -0.1, education: 0.2, other: 0.1 };

/** `n` generated applicants (seed 0 by default). */
export function generateApplicants(n: number, seed = 0): Applicants {
  const rows = is.int({ min: 1 })(n, 'generateApplicants: n');
  const rand = dataRng(is.int()(seed, 'generateApplicants: seed'));
  const c: Applicants['columns'] = { id: [], age: [], income: [], employment: [], housing: [], purpose: [], region: [], utilisation: [], latePayments: [], debtRatio: [], monthsAtAddress: [], coApplicant: [], default: [] };
  for (let i = 0; i < rows; i++) {
    const age = Math.round(Math.min(75, Math.max(21, 42 + 12 * gaussian(rand))));
    const employment = pick(rand, EMPLOYMENT);
    const income = Math.round(Math.exp(10.6 + 0.5 * gaussian(rand) - (employment === 'unemployed' ? 0.8 : 0)) / 100) * 100;
    const housing = pick(rand, HOUSING);
    const purpose = pick(rand, PURPOSE);
    const region = pick(rand, REGION);
    const utilisation = Math.min(1.2, Math.max(0, 0.35 + 0.25 * gaussian(rand)));
    let late = 0;
    const lateRate = 0.15 + 1.2 * utilisation;
    for (let k = 0; k < 6; k++) if (rand() < lateRate / 6) late++;
    const debtRatio = Math.max(0, 0.3 + 0.18 * gaussian(rand) + 0.1 * utilisation);
    const months = Math.round(Math.max(0, 60 + 50 * gaussian(rand)));
    const co = rand() < 0.22;
    const incomeMissing = rand() < 0.06 + (employment === 'self-employed' ? 0.08 : 0);
    const z =
      -2.3 +
      1.6 * (utilisation - 0.35) +
      0.45 * late +
      0.3 * utilisation * late +
      2.2 * Math.max(0, debtRatio - 0.45) -
      0.6 * Math.log(income / 40000) +
      (EMPLOYMENT_RISK[employment] as number) +
      (HOUSING_RISK[housing] as number) +
      (PURPOSE_RISK[purpose] as number) -
      0.012 * (age - 40) -
      (co ? 0.3 : 0) +
      (incomeMissing ? 0.3 : 0);
    c.id.push(`A${String(i + 1).padStart(6, '0')}`);
    c.age.push(age);
    c.income.push(incomeMissing ? null : income);
    c.employment.push(rand() < 0.02 ? null : employment);
    c.housing.push(housing);
    c.purpose.push(purpose);
    c.region.push(region);
    c.utilisation.push(Math.round(utilisation * 1000) / 1000);
    c.latePayments.push(late);
    c.debtRatio.push(rand() < 0.03 ? null : Math.round(debtRatio * 1000) / 1000);
    c.monthsAtAddress.push(rand() < 0.1 ? null : months);
    c.coApplicant.push(co);
    c.default.push(rand() < 1 / (1 + Math.exp(-z)) ? 1 : 0);
  }
  return { columns: c, target: 'default' };
}

/** The applicants as CSV text (header row; empty fields where values are missing). */
export function applicantsCsv(a: Applicants): string {
  const names = Object.keys(a.columns) as Array<keyof Applicants['columns']>;
  const quote = (v: unknown): string => (v === null ? '' : typeof v === 'string' && /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : String(v));
  const lines = [names.join(',')];
  const n = a.columns.id.length;
  for (let i = 0; i < n; i++) lines.push(names.map((k) => quote((a.columns[k] as unknown[])[i])).join(','));
  return `${lines.join('\n')}\n`;
}
