// The finance toolkit's fitted preprocessing steps as ONNX nodes, on raw columns.
//
// A table in the graph is a list of blocks: a numeric block is float32 [N, w] with w column
// names; a categorical block is one string column [N, 1]. A missing value is NaN in a numeric
// column and the empty string '' in a categorical one (ONNX has no null string). Categorical
// values are only ever looked up (ai.onnx.ml LabelEncoder: string → float, which onnxruntime
// runs at any default opset; `Equal` on strings needs opset 19), so a categorical imputer emits
// no node: it records what '' stands for, and the next lookup maps '' to that category's code.
//
// Where fingrad's transform throws (an unknown category with handleUnknown 'error'), a graph
// cannot; the lookup gives NaN there instead, which reaches the probabilities as NaN rather than
// as a plausible wrong number.
import { ColumnTransformer } from '../finance/compose.js';
import { type Category, OneHotEncoder, OrdinalEncoder } from '../finance/encode.js';
import { SimpleImputer } from '../finance/impute.js';
import { MinMaxScaler, StandardScaler } from '../finance/scale.js';
import type { Transformer } from '../finance/transformer.js';
import { WoEEncoder } from '../finance/woe.js';
import { OnnxExportError, UnsupportedLayerError } from './errors.js';
import type { GraphBuilder } from './graph.js';

/** A graph input's element type: undecided until a step reads the column. */
export type InputKind = 'numeric' | 'categorical' | null;

export interface Block {
  names: string[];
  value: string;
  /** The graph input this block is (raw columns), whose kind the first step that reads it decides. */
  input?: string;
  kind: 'numeric' | 'categorical';
  /** Categorical: the category a '' (missing) stands for after imputation; null while still missing. */
  missing?: string | null;
}

export interface Ctx {
  g: GraphBuilder;
  /** Per raw column: the kind its graph input takes. */
  inputs: Map<string, InputKind>;
}

/** The kind of `b`; a raw column nobody has read yet becomes `guess`. */
function kindOf(ctx: Ctx, b: Block, guess: 'numeric' | 'categorical', where: string): 'numeric' | 'categorical' {
  if (b.input === undefined) return b.kind;
  if (!ctx.inputs.has(b.input)) throw new OnnxExportError(`exportOnnx: ${where}: '${b.input}' is not an input column`);
  const k = ctx.inputs.get(b.input) ?? guess;
  ctx.inputs.set(b.input, k);
  b.kind = k;
  return k;
}

/** The numeric value of `b`, or an error naming the step and the column. */
export function numericValue(ctx: Ctx, b: Block, where: string): string {
  if (kindOf(ctx, b, 'numeric', where) !== 'numeric') throw new OnnxExportError(`exportOnnx: ${where}: column '${b.names[0]}' is categorical; it needs an encoder before this step`);
  return b.value;
}

/** One column of the table as a block of width 1 (a Gather of a wider numeric block). */
function column(ctx: Ctx, blocks: readonly Block[], name: string, where: string): Block {
  for (const b of blocks) {
    const j = b.names.indexOf(name);
    if (j < 0) continue;
    if (b.names.length === 1) return b;
    const value = ctx.g.node('Gather', [b.value, ctx.g.ints('column', [j])], { axis: 1 }, 'column');
    return { names: [name], value, kind: 'numeric' };
  }
  throw new OnnxExportError(`exportOnnx: ${where}: no column '${name}' reaches this step`);
}

/** The columns `names`, in that order. */
export function select(ctx: Ctx, blocks: readonly Block[], names: readonly string[], where: string): Block[] {
  const out: Block[] = [];
  for (let i = 0; i < names.length; ) {
    // A whole block selected in its own order stays one block.
    const b = blocks.find((x) => x.names[0] === names[i]);
    if (b !== undefined && b.names.every((n, k) => names[i + k] === n)) {
      out.push(b);
      i += b.names.length;
    } else out.push(column(ctx, blocks, names[i++] as string, where));
  }
  return out;
}

/**
 * Codes per category as float32 [N, 1]: `codes` for the categories it lists, `unknown` for any
 * other value, `missing` for a missing one (unless an imputer filled it).
 */
function lookup(ctx: Ctx, b: Block, codes: ReadonlyMap<Category, number>, unknown: number, missing: number, where: string): string {
  const { g } = ctx;
  const numeric = kindOf(ctx, b, [...codes.keys()].some((c) => typeof c === 'number') ? 'numeric' : 'categorical', where) === 'numeric';
  if (numeric) {
    const keys = [...codes.keys()].filter((c): c is number => typeof c === 'number');
    const found = keys.length === 0 ? g.node('Add', [g.node('Mul', [b.value, g.scalar(0)]), g.scalar(unknown)]) : g.mlNode('LabelEncoder', [b.value], { keys_floats: { floats: keys }, values_floats: { floats: keys.map((c) => codes.get(c) as number) }, default_float: { float: unknown } }, 'codes');
    return g.node('Where', [g.node('IsNaN', [b.value]), g.scalar(missing), found]);
  }
  const keys = [...codes.keys()].filter((c): c is string => typeof c === 'string' && c !== '');
  const blank = b.missing === null || b.missing === undefined ? missing : codes.get(b.missing) ?? unknown;
  return g.mlNode('LabelEncoder', [b.value], { keys_strings: { strings: ['', ...keys] }, values_floats: { floats: [blank, ...keys.map((c) => codes.get(c) as number)] }, default_float: { float: unknown } }, 'codes');
}

interface StepRule<T extends Transformer> {
  type: abstract new (...args: never[]) => T;
  /** The step's output table from its input columns (already selected in featureNamesIn order). */
  emit(ctx: Ctx, step: T, x: Block[], where: string): Block[];
}

const rule = <T extends Transformer>(r: StepRule<T>): StepRule<T> => r;

// Per-column constants of the columns `b` covers, from a step's per-feature array.
const part = (ctx: Ctx, hint: string, all: ArrayLike<number>, from: number, b: Block): string => ctx.g.weight(hint, Array.from(all).slice(from, from + b.names.length), [b.names.length]);

/** Applies `perBlock` to each block with its first column's position in the step's features. */
function eachBlock(x: Block[], perBlock: (b: Block, from: number) => Block): Block[] {
  let from = 0;
  return x.map((b) => {
    const out = perBlock(b, from);
    from += b.names.length;
    return out;
  });
}

const STEPS = {
  SimpleImputer: rule<SimpleImputer>({
    type: SimpleImputer,
    emit: (ctx, s, x, where) => {
      const { g } = ctx;
      const indicators = s.indicatorColumns.map((name) => {
        const b = column(ctx, x, name, where);
        const value = kindOf(ctx, b, 'numeric', where) === 'numeric' ? g.node('Cast', [g.node('IsNaN', [b.value])], { to: 1 }) : lookup(ctx, b, new Map(), 0, 1, where);
        return { names: [`missingindicator_${name}`], value, kind: 'numeric' as const };
      });
      const filled = eachBlock(x, (b, from) => {
        const fill = s.statistics.slice(from, from + b.names.length);
        if (kindOf(ctx, b, typeof fill[0] === 'string' ? 'categorical' : 'numeric', where) === 'categorical') return { ...b, missing: b.missing ?? String(fill[0]) };
        const fills = g.weight('fill', fill as number[], [fill.length]);
        return { names: b.names, kind: 'numeric', value: g.node('Where', [g.node('IsNaN', [b.value]), fills, b.value]) };
      });
      return [...filled, ...indicators];
    },
  }),
  StandardScaler: rule<StandardScaler>({
    type: StandardScaler,
    emit: (ctx, s, x, where) =>
      eachBlock(x, (b, from) => {
        let v = numericValue(ctx, b, where);
        if (s.withMean) v = ctx.g.node('Sub', [v, part(ctx, 'mean', s.mean, from, b)]);
        if (s.withStd) v = ctx.g.node('Div', [v, part(ctx, 'scale', s.scale, from, b)]);
        return { names: b.names, value: v, kind: 'numeric' };
      }),
  }),
  MinMaxScaler: rule<MinMaxScaler>({
    type: MinMaxScaler,
    emit: (ctx, s, x, where) =>
      eachBlock(x, (b, from) => {
        const { g } = ctx;
        let v = g.node('Add', [g.node('Mul', [numericValue(ctx, b, where), part(ctx, 'scale', s.scale, from, b)]), part(ctx, 'min', s.min, from, b)]);
        if (s.clip) v = g.node('Clip', [v, g.scalar(s.featureRange[0]), g.scalar(s.featureRange[1])]);
        return { names: b.names, value: v, kind: 'numeric' };
      }),
  }),
  OneHotEncoder: rule<OneHotEncoder>({
    type: OneHotEncoder,
    emit: (ctx, s, x, where) => {
      const { g } = ctx;
      const names = s.getFeatureNamesOut();
      let at = 0;
      return x.flatMap((b) => b.names).map((name, j) => {
        const cats = s.categories[j] as Category[];
        const rare = s.infrequentCategories[j] as Category[];
        const frequent = cats.filter((c) => !rare.includes(c));
        const width = frequent.length + (rare.length > 0 ? 1 : 0);
        const codes = new Map<Category, number>(frequent.map((c, k) => [c, k]));
        for (const c of rare) codes.set(c, frequent.length);
        const unknown = s.handleUnknown === 'error' ? NaN : s.handleUnknown === 'infrequentIfExist' && rare.length > 0 ? frequent.length : -1;
        const code = lookup(ctx, column(ctx, x, name, where), codes, unknown, codes.get(null) ?? unknown, where);
        const range = g.weight('categories', Array.from({ length: width }, (_, k) => k), [width]);
        let value = g.node('Cast', [g.node('Equal', [code, range])], { to: 1 }, 'onehot');
        // code − code is 0, or NaN for an unknown category under 'error' (see the header).
        if (s.handleUnknown === 'error') value = g.node('Add', [value, g.node('Sub', [code, code])]);
        const out = { names: names.slice(at, at + width), value, kind: 'numeric' as const };
        at += width;
        return out;
      });
    },
  }),
  OrdinalEncoder: rule<OrdinalEncoder>({
    type: OrdinalEncoder,
    emit: (ctx, s, x, where) =>
      x.flatMap((b) => b.names).map((name, j) => {
        const codes = new Map<Category, number>((s.categories[j] as Category[]).map((c, k) => [c, k]));
        const unknown = s.handleUnknown === 'error' ? NaN : (s.unknownValue as number);
        return { names: [name], value: lookup(ctx, column(ctx, x, name, where), codes, unknown, codes.get(null) ?? s.encodedMissingValue, where), kind: 'numeric' as const };
      }),
  }),
  WoEEncoder: rule<WoEEncoder>({
    type: WoEEncoder,
    emit: (ctx, s, x, where) =>
      x.flatMap((b) => b.names).map((name, j) => {
        const { g } = ctx;
        const bins = (s.bins[j] ?? []).filter((b) => !b.missing);
        const missing = s.bins[j]?.find((b) => b.missing)?.woe ?? 0;
        const b = column(ctx, x, name, where);
        const categorical = bins.some((bin) => bin.categories !== undefined);
        if (kindOf(ctx, b, categorical ? 'categorical' : 'numeric', where) === 'categorical' || categorical) {
          const codes = new Map<Category, number>(bins.flatMap((bin) => (bin.categories ?? []).map((c) => [c, bin.woe] as [Category, number])));
          // A missing value (or an unseen category) without a bin of its own: the neutral WoE 0.
          return { names: [name], value: lookup(ctx, b, codes, 0, missing, where), kind: 'numeric' as const };
        }
        // Bin index = how many upper edges are ≤ x (bins are [lower, upper), ascending); past the
        // last bin, and for NaN, as fingrad: WoE 0 and the missing bin's WoE.
        const uppers = g.weight('woe_upper', bins.map((bin) => bin.upper as number), [bins.length]);
        const above = g.node('Cast', [g.node('GreaterOrEqual', [b.value, uppers])], { to: 1 });
        const index = g.node('Cast', [g.node('ReduceSum', [above, g.ints('axes', [1])], { keepdims: 1 })], { to: 7 });
        const woe = g.node('Gather', [g.weight('woe', [...bins.map((bin) => bin.woe), 0], [bins.length + 1]), index], { axis: 0 });
        return { names: [name], value: g.node('Where', [g.node('IsNaN', [b.value]), g.scalar(missing), woe]), kind: 'numeric' as const };
      }),
  }),
  ColumnTransformer: rule<ColumnTransformer>({
    type: ColumnTransformer,
    emit: (ctx, s, x, where) => {
      const out: Block[] = [];
      const add = (prefix: string, blocks: Block[]): void => {
        for (const b of blocks) out.push({ ...b, names: b.names.map((n) => `${prefix}__${n}`) });
      };
      s.transformers.forEach(([name, step], i) => {
        const cols = s.columns[i] as string[];
        if (step === 'drop' || cols.length === 0) return;
        const picked = select(ctx, x, cols, `${where} ('${name}')`);
        add(name, step === 'passthrough' ? picked : emitStep(ctx, step, picked, `${where}.${name}`));
      });
      if (s.remainder === 'passthrough') add('remainder', select(ctx, x, s.remainderColumns, `${where} (remainder)`));
      return out;
    },
  }),
};

const SUPPORTED = Object.keys(STEPS);

function ruleFor(step: Transformer): StepRule<Transformer> | null {
  const r = Object.values(STEPS).find((x) => Object.getPrototypeOf(step) === x.type.prototype);
  return (r as StepRule<Transformer> | undefined) ?? null;
}

/** Every step (inside ColumnTransformers too) export cannot write, with where it is. */
export function unsupportedSteps(step: Transformer, where: string): string[] {
  if (ruleFor(step) === null) return [`${step.kind} at '${where}'`];
  if (step instanceof ColumnTransformer) return step.transformers.flatMap(([name, s]) => (typeof s === 'string' ? [] : unsupportedSteps(s, `${where}.${name}`)));
  return [];
}

/** Throws UnsupportedLayerError listing every step of `steps` that has no translation. */
export function assertStepsExportable(steps: ReadonlyArray<readonly [string, Transformer]>): void {
  const bad = steps.flatMap(([name, s]) => unsupportedSteps(s, name));
  if (bad.length > 0) throw new UnsupportedLayerError(`exportOnnx: the Pipeline has steps ONNX export does not support: ${bad.join(', ')}. Supported: ${SUPPORTED.join(', ')}`, bad);
}

/** Emits a fitted step on the table `x` (it reads its featureNamesIn, as transform does). */
export function emitStep(ctx: Ctx, step: Transformer, x: Block[], where: string): Block[] {
  const r = ruleFor(step);
  if (r === null) throw new UnsupportedLayerError(`exportOnnx: no ONNX translation for ${step.kind} at '${where}'`, [step.kind]);
  const names = step.featureNamesIn;
  if (names === null) throw new OnnxExportError(`exportOnnx: step '${where}' (${step.kind}) is not fitted`);
  return r.emit(ctx, step, select(ctx, x, names, where), where);
}
