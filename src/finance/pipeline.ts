// Pipeline (sklearn.pipeline.Pipeline): preprocessing steps fitted on the training data, then
// any fingrad model. Class labels may be strings or numbers: the pipeline encodes them as
// 0…k−1 (sorted, as sklearn's LabelEncoder) for the model and decodes its predictions, so
// `classes` and the columns of predictProba are in that sorted order.
//
// Saving: one safetensors file: the model's weights and config as `saveModel` writes them, and
// the fitted preprocessing, feature names and classes as JSON under the metadata key 'pipeline'
// (`fingrad.*` keys belong to the checkpoint layout). Transformer states are float64 JSON
// numbers and the weights float32 bits, so a loaded pipeline scores new rows bitwise as the
// saved one did.
import {
  type Tensor,
  ValueError,
  accuracy,
  encodeSafetensors,
  loadModel,
  loadSafetensorsFile,
  readCheckpoint,
  saveModel,
  saveModelFile,
  type nn,
} from '../index.js';
import { type ColumnType, type TabularInput, Table, asTable } from './table.js';
import { Transformer, type TransformerJSON, registerTransformer, transformerFromJSON } from './transformer.js';

/** What the pipeline needs of a model: a fingrad estimator (LogisticRegression, MLPClassifier, LinearRegression, …). */
export interface PipelineModel {
  fit(x: Tensor, y: ArrayLike<number>): unknown;
  predict(x: Tensor): Tensor;
  predictProba?(x: Tensor): Tensor;
  decisionFunction?(x: Tensor): Tensor;
  config?(): { kind: string };
}

export type PipelineStep = readonly [string, Transformer | PipelineModel];
/** Class labels (strings or numbers) or regression targets. */
export type Labels = ArrayLike<number> | ReadonlyArray<string | number>;

const METADATA_KEY = 'pipeline';
const FORMAT = 'fingrad.finance.pipeline/1';

/** sklearn's ordering of labels: numbers ascending, strings by code point; a mix is an error. */
function sortedClasses(where: string, y: Labels): (string | number)[] {
  const seen = [...new Set(Array.from(y as ArrayLike<string | number>))];
  const kinds = new Set(seen.map((v) => typeof v));
  if (kinds.size > 1 || (!kinds.has('string') && !kinds.has('number'))) throw new ValueError(`${where}: labels must be all numbers or all strings, got ${[...kinds].join(' and ')}`);
  if (kinds.has('number')) {
    const bad = seen.find((v) => !Number.isFinite(v as number));
    if (bad !== undefined) throw new ValueError(`${where}: label ${bad} is not a finite number`);
    return (seen as number[]).sort((a, b) => a - b);
  }
  return (seen as string[]).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function isClassifier(model: PipelineModel): boolean {
  return typeof model.predictProba === 'function' || typeof model.decisionFunction === 'function';
}

/** A fresh, unfitted copy of a model with some options changed (from its config, as loadModel would build it). */
export function cloneModel(model: PipelineModel, params: Record<string, unknown> = {}): PipelineModel {
  if (typeof model.config !== 'function') throw new ValueError(`cloneModel: ${model.constructor.name} has no config(); pass a factory (params) => model instead`);
  const { kind: _kind, fitted: _fitted, options, ...rest } = model.config() as { kind: string; fitted?: unknown; options?: Record<string, unknown> };
  const Ctor = model.constructor as new (o: Record<string, unknown>) => PipelineModel;
  return new Ctor({ ...(options ?? rest), ...params });
}

/**
 * Steps [name, step]: transformers, then a model last — or transformers only, and then the
 * pipeline is itself a transformer that a ColumnTransformer can route columns to (sklearn's
 * make_pipeline(SimpleImputer(), StandardScaler()) inside a ColumnTransformer).
 */
export class Pipeline extends Transformer {
  readonly kind = 'Pipeline';
  private readonly stepList: [string, Transformer | PipelineModel][];
  /** Sorted class labels seen by fit (classifiers); null for regressors, transformer pipelines, or before fit. */
  classes: (string | number)[] | null = null;
  /** Column types seen by fit: row objects given later are read with these types, not re-inferred. */
  featureTypesIn: Record<string, ColumnType> | null = null;

  constructor(steps: readonly PipelineStep[]) {
    super();
    const where = 'Pipeline';
    if (!Array.isArray(steps) || steps.length === 0) throw new ValueError(`${where}: steps must be a non-empty list of [name, step]`);
    steps.forEach((s, i) => {
      if (!Array.isArray(s) || s.length !== 2 || typeof s[0] !== 'string') throw new ValueError(`${where}: steps[${i}] must be [name, step]`);
      if (s[0].includes('__')) throw new ValueError(`${where}: step name '${s[0]}' must not contain '__'`);
      const last = i === steps.length - 1;
      if (!last && !(s[1] instanceof Transformer)) throw new ValueError(`${where}: step '${s[0]}' must be a transformer (only the last step is the model)`);
      if (last && !(s[1] instanceof Transformer) && typeof (s[1] as PipelineModel)?.predict !== 'function') throw new ValueError(`${where}: the last step '${s[0]}' must be a transformer or a model with fit and predict`);
    });
    this.stepList = steps.map(([n, s]) => [n, s]);
  }

  get steps(): PipelineStep[] {
    return this.stepList.map(([n, s]) => [n, s] as const);
  }

  namedStep(name: string): Transformer | PipelineModel {
    const s = this.stepList.find(([n]) => n === name);
    if (s === undefined) throw new ValueError(`Pipeline: no step '${name}' (steps: ${this.stepList.map(([n]) => n).join(', ')})`);
    return s[1];
  }

  /** The model (last step); an error for a pipeline of transformers only. */
  get model(): PipelineModel {
    const last = (this.stepList[this.stepList.length - 1] as [string, Transformer | PipelineModel])[1];
    if (last instanceof Transformer) throw new ValueError('Pipeline: this pipeline has no model (its last step is a transformer)');
    return last;
  }

  private get hasModel(): boolean {
    return !((this.stepList[this.stepList.length - 1] as [string, unknown])[1] instanceof Transformer);
  }

  private get transformers(): Transformer[] {
    return this.stepList.filter(([, s]) => s instanceof Transformer).map(([, s]) => s as Transformer);
  }

  get isClassifier(): boolean {
    return this.hasModel && isClassifier(this.model);
  }

  /**
   * Fits every step on the training rows, in order, then the model; y: class labels (strings or
   * numbers) or targets. `modelFitOptions` go to the model's own fit (e.g. `{ callbacks }` for
   * the neural models' progress).
   */
  override fit(x: TabularInput, y?: Labels, modelFitOptions?: Record<string, unknown>): this {
    const where = 'Pipeline.fit';
    let t = asTable(where, x);
    this.featureTypesIn = t.types;
    if (!this.hasModel) {
      // A transformer pipeline (inside a ColumnTransformer): y, when given, is already coded.
      for (const step of this.transformers) t = step.fit(t, y as ArrayLike<number> | undefined).transform(t);
      this.featureNamesIn = asTable(where, x).columnNames;
      return this;
    }
    if (y === null || typeof y !== 'object' || typeof y.length !== 'number') throw new ValueError(`${where}: y must be an array of labels or targets`);
    if (y.length !== t.nRows) throw new ValueError(`${where}: x has ${t.nRows} rows but y has ${y.length}`);
    let target: Float64Array;
    if (this.isClassifier) {
      const classes = sortedClasses(where, y);
      if (classes.length < 2) throw new ValueError(`${where}: y has a single class (${JSON.stringify(classes[0])}); a classifier needs two or more`);
      const pos = new Map<string | number, number>(classes.map((c, i) => [c, i]));
      target = Float64Array.from(y as ArrayLike<string | number>, (v) => pos.get(v) as number);
      this.classes = classes;
    } else {
      target = Float64Array.from(y as ArrayLike<number>, (v, i) => {
        if (typeof v !== 'number' || !Number.isFinite(v)) throw new ValueError(`${where}: target at row ${i} is ${String(v)}; a regressor needs finite numbers`);
        return v;
      });
      this.classes = null;
    }
    this.featureNamesIn = t.columnNames;
    for (const step of this.transformers) t = step.fit(t, target).transform(t);
    const xt = t.toTensor();
    try {
      if (modelFitOptions === undefined) this.model.fit(xt, target);
      else (this.model.fit as unknown as (x: Tensor, y: ArrayLike<number>, o: Record<string, unknown>) => unknown).call(this.model, xt, target, modelFitOptions);
    } finally {
      xt.dispose();
    }
    return this;
  }

  /** The transformers alone: the table the model sees. */
  override transform(x: TabularInput): Table {
    const where = 'Pipeline.transform';
    if (this.featureNamesIn === null) throw new ValueError(`${where}: not fitted; call fit(x, y) first`);
    let t = this.input(where, x);
    for (const step of this.transformers) t = step.transform(t);
    return t;
  }

  // Row objects carry no types: a code column declared categorical in fit must not come back as numbers.
  private input(where: string, x: TabularInput): Table {
    if (x instanceof Table || this.featureTypesIn === null || !Array.isArray(x) || x.length === 0 || Array.isArray(x[0]) || ArrayBuffer.isView(x[0])) return asTable(where, x);
    const rows = x as ReadonlyArray<Readonly<Record<string, unknown>>>;
    const keys = new Set(Object.keys(rows[0] as object));
    const types = Object.fromEntries(Object.entries(this.featureTypesIn).filter(([k]) => keys.has(k)));
    return Table.fromRows(rows, { types });
  }

  /** Names of the model's input columns (the last transformer's output). */
  override getFeatureNamesOut(): string[] {
    const ts = this.transformers;
    return ts.length > 0 ? (ts[ts.length - 1] as Transformer).getFeatureNamesOut() : [...(this.featureNamesIn ?? [])];
  }

  // As a Transformer (a transformer pipeline inside a ColumnTransformer): fit and transform are
  // overridden above; these serve toJSON / transformerFromJSON.
  protected fitTable(): void {}
  protected transformTable(x: Table): Table {
    return x;
  }
  protected namesOut(): string[] {
    return this.getFeatureNamesOut();
  }

  getParams(): Record<string, unknown> {
    if (this.hasModel) throw new ValueError('Pipeline.getParams: a pipeline with a model saves with savePipeline, not as a step');
    return { steps: this.stepList.map(([n, s]) => [n, { ...(s as Transformer).toJSON(), fitted: null }]) };
  }

  protected fittedState(): Record<string, unknown> {
    return { steps: this.transformers.map((s) => s.toJSON()) };
  }

  restoreState(state: Record<string, unknown>): void {
    const steps = state['steps'];
    if (!Array.isArray(steps) || steps.length !== this.stepList.length) throw new ValueError(`Pipeline: saved state needs one fitted step per step (${this.stepList.length})`);
    steps.forEach((json, i) => {
      (this.stepList[i] as [string, Transformer | PipelineModel])[1] = transformerFromJSON(json as TransformerJSON);
    });
  }

  private withModelInput<T>(x: TabularInput, run: (xt: Tensor) => T): T {
    const xt = this.transform(x).toTensor();
    try {
      return run(xt);
    } finally {
      xt.dispose();
    }
  }

  private values(t: Tensor): Float64Array {
    try {
      return Float64Array.from(t.data);
    } finally {
      t.dispose();
    }
  }

  /** Predicted labels (in the labels' own type) or targets. */
  predict(x: TabularInput): (string | number)[] {
    const raw = this.withModelInput(x, (xt) => this.values(this.model.predict(xt)));
    const classes = this.classes;
    return classes === null ? Array.from(raw) : Array.from(raw, (k) => classes[k] as string | number);
  }

  /** Class probabilities, one row per sample, columns in the order of `classes`. */
  predictProba(x: TabularInput): number[][] {
    const m = this.model;
    if (typeof m.predictProba !== 'function') throw new ValueError(`Pipeline.predictProba: the model ${m.constructor.name} has no predictProba`);
    return this.withModelInput(x, (xt) => {
      const p = m.predictProba?.(xt) as Tensor;
      const k = p.shape[1] as number;
      const v = this.values(p);
      return Array.from({ length: v.length / k }, (_, i) => Array.from(v.subarray(i * k, (i + 1) * k)));
    });
  }

  /** Decision values: one per row for two classes (positive means classes[1]), else one row of k. */
  decisionFunction(x: TabularInput): number[] | number[][] {
    const m = this.model;
    if (typeof m.decisionFunction !== 'function') throw new ValueError(`Pipeline.decisionFunction: the model ${m.constructor.name} has no decisionFunction`);
    return this.withModelInput(x, (xt) => {
      const s = m.decisionFunction?.(xt) as Tensor;
      if (s.rank === 1) return Array.from(this.values(s));
      const k = s.shape[1] as number;
      const v = this.values(s);
      return Array.from({ length: v.length / k }, (_, i) => Array.from(v.subarray(i * k, (i + 1) * k)));
    });
  }

  /** sklearn's default score: accuracy for classifiers, R² for regressors. */
  score(x: TabularInput, y: Labels): number {
    const pred = this.predict(x);
    const truth = Array.from(y as ArrayLike<string | number>);
    if (this.classes !== null) {
      const pos = new Map<string | number, number>(this.classes.map((c, i) => [c, i]));
      return accuracy(truth.map((v) => pos.get(v) ?? -1), pred.map((v) => pos.get(v) as number));
    }
    return r2(truth as number[], pred as number[]);
  }

  /**
   * Frees the WASM memory of every step that holds some (the model's weights, nested
   * pipelines): a dropped pipeline is otherwise freed only when the garbage collector finds it.
   */
  dispose(): void {
    for (const [, s] of this.stepList) (s as { dispose?: () => void }).dispose?.();
  }

  /** An unfitted copy; `params` sets step options as `stepName__option` (sklearn's clone + set_params). */
  override clone(params: Record<string, unknown> = {}): Pipeline {
    const byStep = new Map<string, Record<string, unknown>>();
    for (const [k, v] of Object.entries(params)) {
      const cut = k.indexOf('__');
      const step = cut < 0 ? '' : k.slice(0, cut);
      if (!this.stepList.some(([n]) => n === step)) throw new ValueError(`Pipeline.clone: parameter '${k}' must be 'step__option' with a step of ${this.stepList.map(([n]) => `'${n}'`).join(', ')}`);
      byStep.set(step, { ...byStep.get(step), [k.slice(cut + 2)]: v });
    }
    return new Pipeline(this.stepList.map(([n, s]) => [n, s instanceof Transformer ? s.clone(byStep.get(n)) : cloneModel(s, byStep.get(n))] as const));
  }
}

/** Coefficient of determination (sklearn's r2_score for one output). */
function r2(y: number[], p: number[]): number {
  const mean = y.reduce((s, v) => s + v, 0) / y.length;
  let res = 0;
  let tot = 0;
  y.forEach((v, i) => {
    res += (v - (p[i] as number)) ** 2;
    tot += (v - mean) ** 2;
  });
  return tot === 0 ? (res === 0 ? 1 : 0) : 1 - res / tot;
}

interface PipelineJSON {
  format: string;
  steps: { name: string; step: TransformerJSON }[];
  modelName: string;
  classes: (string | number)[] | null;
  featureNamesIn: string[];
  featureTypesIn: Record<string, ColumnType> | null;
}

function pipelineJSON(where: string, p: Pipeline): string {
  if (p.featureNamesIn === null) throw new ValueError(`${where}: the pipeline is not fitted; call fit(x, y) first`);
  const steps = p.steps;
  const json: PipelineJSON = {
    format: FORMAT,
    steps: steps.slice(0, -1).map(([name, s]) => ({ name, step: (s as Transformer).toJSON() })),
    modelName: (steps[steps.length - 1] as PipelineStep)[0],
    classes: p.classes,
    featureNamesIn: p.featureNamesIn,
    featureTypesIn: p.featureTypesIn,
  };
  return JSON.stringify(json);
}

/** A fitted pipeline as safetensors bytes: the model's weights and config, the preprocessing as JSON metadata. */
export function savePipeline(p: Pipeline): Uint8Array {
  return saveModel(p.model as unknown as nn.Module, { metadata: { [METADATA_KEY]: pipelineJSON('savePipeline', p) } });
}

function rebuild(where: string, metadata: Record<string, string>, model: PipelineModel): Pipeline {
  const text = metadata[METADATA_KEY];
  if (text === undefined) throw new ValueError(`${where}: no '${METADATA_KEY}' metadata; the file is a model checkpoint, not a pipeline (use loadModel)`);
  let json: PipelineJSON;
  try {
    json = JSON.parse(text) as PipelineJSON;
  } catch (e) {
    throw new ValueError(`${where}: the '${METADATA_KEY}' metadata is not valid JSON (${(e as Error).message})`);
  }
  if (json?.format !== FORMAT) throw new ValueError(`${where}: pipeline format ${JSON.stringify(json?.format)} is not '${FORMAT}'`);
  if (!Array.isArray(json.steps) || !Array.isArray(json.featureNamesIn)) throw new ValueError(`${where}: the pipeline metadata needs 'steps' and 'featureNamesIn' lists`);
  const p = new Pipeline([...json.steps.map((s) => [s.name, transformerFromJSON(s.step)] as const), [json.modelName, model] as const]);
  p.classes = json.classes;
  p.featureNamesIn = json.featureNamesIn;
  p.featureTypesIn = json.featureTypesIn ?? null;
  return p;
}

registerTransformer('Pipeline', (p) => {
  const steps = p['steps'];
  if (!Array.isArray(steps)) throw new ValueError('Pipeline: saved params need a steps list');
  return new Pipeline((steps as [string, TransformerJSON][]).map(([n, json]) => [n, transformerFromJSON(json)] as const));
});

/** Rebuilds a pipeline written by `savePipeline` (the model's kind must be registered, as for loadModel). */
export function loadPipeline(bytes: Uint8Array): Pipeline {
  const { metadata } = readCheckpoint(bytes);
  return rebuild('loadPipeline', metadata, loadModel(bytes) as unknown as PipelineModel);
}

/** Writes `savePipeline`'s bytes to a file (Node; written beside and renamed, as saveModelFile). */
export async function savePipelineFile(path: string, p: Pipeline): Promise<void> {
  await saveModelFile(path, p.model as unknown as nn.Module, { metadata: { [METADATA_KEY]: pipelineJSON('savePipelineFile', p) } });
}

/** Reads a file written by `savePipelineFile` (Node). */
export async function loadPipelineFile(path: string): Promise<Pipeline> {
  const { tensors, metadata } = await loadSafetensorsFile(path);
  return loadPipeline(encodeSafetensors(tensors, metadata));
}
