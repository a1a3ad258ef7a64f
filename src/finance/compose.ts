// ColumnTransformer (sklearn.compose.ColumnTransformer): routes columns, chosen by name or by
// type, to their own step and puts the outputs side by side, names prefixed with the step's
// name (`num__age`, `cat__job_clerk`: sklearn's verbose_feature_names_out). Type selectors are
// resolved in fit and the resolved names are saved, so new data is routed exactly as the
// training data was.
import { ValueError } from '../index.js';
import { is, readOptions } from '../validate.js';
import { type ColumnType, type ColumnValues, Table } from './table.js';
import { type TargetValues, Transformer, type TransformerJSON, registerTransformer, transformerFromJSON } from './transformer.js';

/** Columns by name, or every column of the given types (as inferred or declared when read). */
export type ColumnSelector = readonly string[] | { types: readonly ColumnType[] };

/** [name, step or 'passthrough' / 'drop', columns]. */
export type ColumnTransformerEntry = readonly [string, Transformer | 'passthrough' | 'drop', ColumnSelector];

export interface ColumnTransformerOptions {
  /** Columns no entry selects: 'drop' (default) or 'passthrough' (kept as they are, prefixed `remainder__`). */
  remainder?: 'drop' | 'passthrough';
}

interface Route {
  name: string;
  step: Transformer | 'passthrough' | 'drop';
  selector: ColumnSelector;
}

function checkSelector(where: string, s: unknown): ColumnSelector {
  if (Array.isArray(s) && s.every((c) => typeof c === 'string')) return s as string[];
  const types = (s as { types?: unknown } | null)?.types;
  if (Array.isArray(types)) return { types: types.map((t, i) => is.oneOf(['numeric', 'categorical', 'boolean'] as const)(t, `${where}.types[${i}]`)) };
  throw new ValueError(`${where} must be a list of column names or {types: ['numeric' | 'categorical' | 'boolean', …]}`);
}

export class ColumnTransformer extends Transformer {
  readonly kind = 'ColumnTransformer';
  readonly remainder: 'drop' | 'passthrough';
  private readonly routes: Route[];
  /** Per entry, the columns it received in fit; then the remainder's. */
  columns: string[][] = [];
  remainderColumns: string[] = [];

  constructor(transformers: readonly ColumnTransformerEntry[], options?: ColumnTransformerOptions) {
    super();
    const where = 'ColumnTransformer';
    const o = readOptions(where, options, { remainder: is.oneOf(['drop', 'passthrough'] as const) });
    this.remainder = o.remainder ?? 'drop';
    if (!Array.isArray(transformers) || transformers.length === 0) throw new ValueError(`${where}: transformers must be a non-empty list of [name, step, columns]`);
    this.routes = transformers.map((e, i) => {
      if (!Array.isArray(e) || e.length !== 3 || typeof e[0] !== 'string') throw new ValueError(`${where}: transformers[${i}] must be [name, step, columns]`);
      const [name, step, selector] = e;
      if (name.includes('__')) throw new ValueError(`${where}: step name '${name}' must not contain '__' (it separates step and parameter names)`);
      if (!(step instanceof Transformer) && step !== 'passthrough' && step !== 'drop') throw new ValueError(`${where}: transformers[${i}] ('${name}') step must be a transformer, 'passthrough' or 'drop'`);
      return { name, step, selector: checkSelector(`${where}: transformers[${i}] ('${name}') columns`, selector) };
    });
    const names = this.routes.map((r) => r.name);
    names.forEach((n, i) => {
      if (names.indexOf(n) !== i) throw new ValueError(`${where}: step name '${n}' is used twice`);
    });
  }

  /** The entries with their (fitted, once fit has run) steps. */
  get transformers(): ColumnTransformerEntry[] {
    return this.routes.map((r) => [r.name, r.step, r.selector] as const);
  }

  /** A step by name. */
  namedTransformer(name: string): Transformer | 'passthrough' | 'drop' {
    const r = this.routes.find((x) => x.name === name);
    if (r === undefined) throw new ValueError(`ColumnTransformer: no step '${name}' (steps: ${this.routes.map((x) => x.name).join(', ')})`);
    return r.step;
  }

  getParams(): Record<string, unknown> {
    return {
      transformers: this.routes.map((r) => [r.name, typeof r.step === 'string' ? r.step : { ...r.step.toJSON(), fitted: null }, r.selector]),
      remainder: this.remainder,
    };
  }

  /** Unfitted copy; `params` may set `remainder` or a step's options as `stepName__option`. */
  override clone(params: Record<string, unknown> = {}): ColumnTransformer {
    const own: Record<string, unknown> = {};
    const byStep = new Map<string, Record<string, unknown>>();
    for (const [k, v] of Object.entries(params)) {
      const cut = k.indexOf('__');
      if (cut < 0) own[k] = v;
      else {
        const step = k.slice(0, cut);
        if (!this.routes.some((r) => r.name === step)) throw new ValueError(`ColumnTransformer.clone: no step '${step}' for parameter '${k}'`);
        byStep.set(step, { ...byStep.get(step), [k.slice(cut + 2)]: v });
      }
    }
    const entries = this.routes.map((r) => [r.name, typeof r.step === 'string' ? r.step : r.step.clone(byStep.get(r.name) ?? {}), r.selector] as const);
    return new ColumnTransformer(entries, { remainder: this.remainder, ...own });
  }

  private select(x: Table, selector: ColumnSelector, where: string): string[] {
    if (Array.isArray(selector)) {
      for (const c of selector as string[]) if (!x.has(c)) throw new ValueError(`${where}: no column '${c}' (columns: ${x.columnNames.join(', ')})`);
      return [...(selector as string[])];
    }
    const types = (selector as { types: readonly ColumnType[] }).types;
    return x.columnNames.filter((c) => types.includes(x.typeOf(c)));
  }

  protected fitTable(x: Table, y: TargetValues | undefined): void {
    this.route(x, 'ColumnTransformer.fit', (step, part) => step.fit(part, y));
  }

  // Each entry's step learns from its columns of the chunk (the entries' steps must take chunks themselves).
  protected override partialFitTable(x: Table, y: TargetValues | undefined, first: boolean, where: string): void {
    if (!first) {
      this.routes.forEach((r, i) => {
        if (r.step instanceof Transformer && (this.columns[i] as string[]).length > 0) r.step.partialFit(x.select(this.columns[i] as string[]), y);
      });
      return;
    }
    this.route(x, where, (step, part) => step.partialFit(part, y));
  }

  private route(x: Table, where: string, learn: (step: Transformer, part: Table) => void): void {
    const used = new Map<string, string>();
    this.columns = this.routes.map((r) => {
      const cols = this.select(x, r.selector, `${where} ('${r.name}')`);
      for (const c of cols) {
        // sklearn allows a column in two entries; here it is almost always a routing mistake.
        if (used.has(c)) throw new ValueError(`${where}: column '${c}' is selected by both '${used.get(c)}' and '${r.name}'`);
        used.set(c, r.name);
      }
      if (r.step instanceof Transformer && cols.length > 0) learn(r.step, x.select(cols));
      return cols;
    });
    this.remainderColumns = x.columnNames.filter((c) => !used.has(c));
  }

  protected transformTable(x: Table): Table {
    const out: { name: string; type: ColumnType; values: ColumnValues }[] = [];
    const add = (prefix: string, t: Table): void => {
      for (const c of t.columnNames) out.push({ name: `${prefix}__${c}`, type: t.typeOf(c), values: t.column(c) });
    };
    this.routes.forEach((r, i) => {
      const cols = this.columns[i] as string[];
      if (r.step === 'drop' || cols.length === 0) return;
      const part = x.select(cols);
      add(r.name, r.step === 'passthrough' ? part : r.step.transform(part));
    });
    if (this.remainder === 'passthrough') add('remainder', x.select(this.remainderColumns));
    return new Table(out);
  }

  /** Columns seen in fit: every routed column and, with remainder 'passthrough', the rest. */
  protected namesOut(_namesIn: string[]): string[] {
    const names: string[] = [];
    this.routes.forEach((r, i) => {
      const cols = this.columns[i] as string[];
      if (r.step === 'drop' || cols.length === 0) return;
      const inner = r.step === 'passthrough' ? cols : r.step.getFeatureNamesOut();
      names.push(...inner.map((c) => `${r.name}__${c}`));
    });
    if (this.remainder === 'passthrough') names.push(...this.remainderColumns.map((c) => `remainder__${c}`));
    return names;
  }

  protected fittedState(): Record<string, unknown> {
    return {
      columns: this.columns,
      remainderColumns: this.remainderColumns,
      steps: this.routes.map((r) => (typeof r.step === 'string' ? null : r.step.toJSON())),
    };
  }

  restoreState(state: Record<string, unknown>): void {
    const cols = state['columns'];
    const steps = state['steps'];
    const rem = state['remainderColumns'];
    const isNames = (v: unknown): boolean => Array.isArray(v) && v.every((c) => typeof c === 'string');
    if (!Array.isArray(cols) || cols.length !== this.routes.length || !cols.every(isNames) || !isNames(rem) || !Array.isArray(steps) || steps.length !== this.routes.length) {
      throw new ValueError(`ColumnTransformer: saved state must hold columns, remainderColumns and steps for its ${this.routes.length} entries`);
    }
    this.columns = cols as string[][];
    this.remainderColumns = rem as string[];
    this.routes.forEach((r, i) => {
      const s = steps[i] as TransformerJSON | null;
      if (s !== null && s.fitted !== null) r.step = transformerFromJSON(s);
    });
  }
}

registerTransformer('ColumnTransformer', (p) => {
  const list = p['transformers'];
  if (!Array.isArray(list)) throw new ValueError('ColumnTransformer: saved params need a transformers list');
  const entries = list.map((e) => {
    const [name, step, selector] = e as [string, TransformerJSON | 'passthrough' | 'drop', ColumnSelector];
    return [name, typeof step === 'string' ? step : transformerFromJSON(step), selector] as const;
  });
  return new ColumnTransformer(entries, { remainder: p['remainder'] as 'drop' | 'passthrough' });
});
