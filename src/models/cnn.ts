// Small convolutional networks: CNN1dForecaster (windows of a multichannel series → the next
// value(s)) and CNN2dClassifier (images → classes). Both stack [conv ('same' padding) →
// activation → pooling] blocks, flatten, and finish with a dense head.
import { ArgumentError, ShapeError, ValueError } from '../errors.js';
import { ReLU, Tanh } from '../nn/activations.js';
import { Conv1d, Conv2d } from '../nn/conv.js';
import { Dropout } from '../nn/dropout.js';
import { Flatten } from '../nn/flatten.js';
import { Linear } from '../nn/linear.js';
import type { Module } from '../nn/module.js';
import { AvgPool1d, AvgPool2d, MaxPool1d, MaxPool2d } from '../nn/pool.js';
import { Sequential } from '../nn/sequential.js';
import { mseLoss } from '../ops/losses.js';
import { Generator } from '../tensor/random.js';
import { tidy } from '../tensor/scope.js';
import type { Tensor } from '../tensor/tensor.js';
import { predict as predictLoop } from '../train/fit.js';
import { Estimator, type EstimatorConfig, type EstimatorType, readConfig } from './estimator.js';
import { type ArrayInput, type LabelInput, type TargetInput, encodeLabels, readInput, readTargets } from './input.js';
import {
  type FitCallOptions,
  type ResolvedTraining,
  TRAINING_OPTIONS,
  type TrainingOptions,
  classTargets,
  classificationLoss,
  labelsOf,
  logitCount,
  probabilities,
  resolveTraining,
} from './training.js';
import { is, readOptions } from '../validate.js';

export interface CNNOptions extends TrainingOptions {
  /** Output channels of each convolution block. Default [16, 32]. */
  filters?: number[];
  /** Kernel size of every block (one number) or of each. Default 3. */
  kernelSize?: number | number[];
  /** Pooling after each block: 'max' (default), 'avg' or 'none'. */
  pool?: 'max' | 'avg' | 'none';
  /** Pooling window and stride. Default 2. */
  poolSize?: number;
  /** Units of each hidden dense layer of the head. Default [32]. */
  dense?: number[];
  /** Activation after every convolution and hidden dense layer. Default 'relu'. */
  activation?: 'relu' | 'tanh';
  /** Dropout before each dense layer while training. Default 0. */
  dropout?: number;
}

interface CNNSettings extends ResolvedTraining {
  filters: number[];
  kernelSize: number[];
  pool: 'max' | 'avg' | 'none';
  poolSize: number;
  dense: number[];
  activation: 'relu' | 'tanh';
  dropout: number;
}

/** CNN1dForecaster's and CNN2dClassifier's options: the training options and these. */
const CNN_OPTIONS = {
  ...TRAINING_OPTIONS,
  filters: is.list(is.int({ min: 1 }), { minLength: 1 }),
  kernelSize: is.anyOf<number | number[]>('an integer >= 1 or a list of them, one per block', is.int({ min: 1 }), is.list(is.int({ min: 1 }), { minLength: 1 })),
  pool: is.oneOf(['max', 'avg', 'none'] as const),
  poolSize: is.int({ min: 1 }),
  dense: is.list(is.int({ min: 1 })),
  activation: is.oneOf(['relu', 'tanh'] as const),
  dropout: is.number({ min: 0, max: 1, maxOpen: true }),
} satisfies Record<keyof CNNOptions, unknown>;

function settingsOf(model: string, options: unknown, defaults: Partial<ResolvedTraining>): CNNSettings {
  const o = readOptions(model, options, CNN_OPTIONS);
  const filters = o.filters ?? [16, 32];
  const k = o.kernelSize ?? 3;
  // One kernel size for every block, or one per block.
  if (typeof k !== 'number' && k.length !== filters.length) {
    throw new ArgumentError(`${model}: kernelSize has ${k.length} entries but there are ${filters.length} layers (give one per layer, or one number)`, model, 'kernelSize');
  }
  return {
    ...resolveTraining(o, defaults),
    filters,
    kernelSize: typeof k === 'number' ? new Array<number>(filters.length).fill(k) : k,
    pool: o.pool ?? 'max',
    poolSize: o.poolSize ?? 2,
    dense: o.dense ?? [32],
    activation: o.activation ?? 'relu',
    dropout: o.dropout ?? 0,
  };
}

/**
 * The convolution blocks and the dense head for inputs [N, channels, ...spatial], `outputs`
 * values out. Throws when pooling would shrink a spatial size below 1.
 */
function makeLayers(
  model: string,
  s: CNNSettings,
  channels: number,
  spatial: readonly number[],
  outputs: number,
  g: Generator,
  made: <M extends Module>(m: M) => M,
): { features: Sequential; head: Sequential } {
  const act = (): Module => (s.activation === 'relu' ? new ReLU() : new Tanh());
  const conv: Module[] = [];
  let inC = channels;
  let size = [...spatial];
  s.filters.forEach((f, i) => {
    const k = s.kernelSize[i] as number;
    conv.push(made(spatial.length === 1 ? new Conv1d(inC, f, k, { padding: 'same', generator: g }) : new Conv2d(inC, f, k, { padding: 'same', generator: g })), act());
    if (s.pool !== 'none') {
      const next = size.map((d) => Math.floor(d / s.poolSize));
      if (next.some((d) => d < 1)) {
        throw new ShapeError(`${model}: an input of size ${spatial.join('×')} is too small for ${s.filters.length} pooling steps of ${s.poolSize} (block ${i + 1} sees ${size.join('×')}); use fewer filters, a smaller poolSize, or pool: 'none'`);
      }
      const p = s.poolSize;
      conv.push(spatial.length === 1 ? (s.pool === 'max' ? new MaxPool1d(p) : new AvgPool1d(p)) : s.pool === 'max' ? new MaxPool2d(p) : new AvgPool2d(p));
      size = next;
    }
    inC = f;
  });
  const head: Module[] = [new Flatten()];
  let width = inC * size.reduce((a, b) => a * b, 1);
  const sizes = [...s.dense, outputs];
  sizes.forEach((units, i) => {
    if (s.dropout > 0) head.push(new Dropout(s.dropout, { generator: g }));
    head.push(made(new Linear(width, units, { generator: g })));
    if (i < sizes.length - 1) head.push(act());
    width = units;
  });
  return { features: new Sequential(...conv), head: new Sequential(...head) };
}

// The shared model: `features` (conv blocks) and `head` (flatten + dense) children.
abstract class BaseCNN extends Estimator {
  protected readonly settings: CNNSettings;
  protected features: Sequential | null = null;
  protected head: Sequential | null = null;
  private readonly generator: Generator;

  protected constructor(name: string, options: CNNOptions, defaults: Partial<ResolvedTraining>) {
    super();
    this.settings = settingsOf(name, options, defaults);
    this.generator = new Generator(this.settings.seed);
  }

  get isFitted(): boolean {
    return this.features !== null;
  }

  /** Builds fresh (seeded) layers for inputs [N, channels, ...spatial] and `outputs` values. */
  protected buildNet(channels: number, spatial: readonly number[], outputs: number): void {
    const g = this.generator.manualSeed(this.settings.seed);
    const { features, head } = this.buildLayers((made) => makeLayers(this.modelName, this.settings, channels, spatial, outputs, g, made));
    this.features = this.replaceChild('features', features, this.features);
    this.head = this.replaceChild('head', head, this.head);
  }

  forward(x: Tensor): Tensor {
    this.requireFitted('forward');
    return (this.head as Sequential).forward((this.features as Sequential).forward(x));
  }

  protected settingsConfig(): CNNSettings {
    const s = this.settings;
    return { ...s, filters: [...s.filters], kernelSize: [...s.kernelSize], dense: [...s.dense] };
  }
}

/** CNN1dForecaster's fitted state: input channels, window length and values per forecast. */
export interface CNN1dForecasterFit {
  channels: number;
  window: number;
  horizon: number;
  flatTarget: boolean;
}

export type CNN1dForecasterConfig = EstimatorConfig<'CNN1dForecaster', CNNSettings, CNN1dForecasterFit>;

/**
 * A 1-D convolutional forecaster: windows of a multichannel series x [batch, channels, time]
 * (`makeWindows(series, window, horizon, {channelsFirst: true})`) → the next value(s)
 * [batch, horizon]. The window length is fixed by `fit`.
 *
 * Objective: mean squared error over rows and horizon steps, minimised with Adam. With
 * `earlyStopping`, the latest `validationFraction` of the windows (the last rows) are held out
 * and the best weights restored.
 */
export class CNN1dForecaster extends BaseCNN {
  private shape: CNN1dForecasterFit | null = null;

  constructor(options: CNNOptions = {}) {
    super('CNN1dForecaster', options, { learningRate: 3e-3, maxIter: 50, batchSize: 32 });
  }

  protected get modelName(): string {
    return 'CNN1dForecaster';
  }

  protected get estimatorType(): EstimatorType {
    return 'regressor';
  }

  private readX(method: string, x: ArrayInput): Tensor {
    return readInput(`CNN1dForecaster.${method}`, x, { names: ['batch', 'channels', 'time'], sizes: [undefined, this.shape?.channels, this.shape?.window] });
  }

  /** Trains from fresh (seeded) weights on x [n, channels, time] and y [n, horizon] (or [n]); keeps the loss per epoch in `history`. */
  fit(x: ArrayInput, y: TargetInput, options?: FitCallOptions): this {
    const where = 'CNN1dForecaster.fit';
    return this.trainOn(where, x, { names: ['batch', 'channels', 'time'] }, options, (xt) => {
      const [n, channels, window] = xt.shape as [number, number, number];
      const { y: yt, flat } = readTargets(where, y, n);
      const horizon = yt.shape[1] as number;
      this.buildNet(channels, [window], horizon);
      this.shape = { channels, window, horizon, flatTarget: flat };
      return { y: yt, loss: (p, t) => mseLoss(p, t), training: this.settings, split: 'last', stopOnPlateau: false };
    });
  }

  /** Forecasts [n, horizon] (or [n] when fitted on one value per row). */
  predict(x: ArrayInput): Tensor {
    return this.predictFor('predict', x);
  }

  protected predictFor(method: string, x: ArrayInput): Tensor {
    this.requireFitted(method);
    return tidy(() => {
      const out = predictLoop(this, this.readX(method, x));
      return this.shape?.flatTarget === true ? out.reshape([out.shape[0] as number]) : out;
    });
  }

  override forward(x: Tensor): Tensor {
    return super.forward(this.readX('forward', x));
  }

  config(): CNN1dForecasterConfig {
    return { kind: 'CNN1dForecaster', options: this.settingsConfig(), fitted: this.shape === null ? null : { ...this.shape } };
  }

  /** Rebuilds a model (layers included when it was fitted) from `config()`; weights are fresh. */
  static fromConfig(c: CNN1dForecasterConfig): CNN1dForecaster {
    const { options, fitted } = readConfig<CNNSettings>('CNN1dForecaster.fromConfig', c, 'CNN1dForecaster');
    const m = new CNN1dForecaster(options);
    const f = fitted as CNN1dForecasterFit | null;
    if (f !== null) {
      m.buildNet(f.channels, [f.window], f.horizon);
      m.shape = { ...f };
    }
    return m;
  }
}

/** CNN2dClassifier's fitted state: input channels, image size and class labels. */
export interface CNN2dClassifierFit {
  channels: number;
  height: number;
  width: number;
  classes: number[];
}

export type CNN2dClassifierConfig = EstimatorConfig<'CNN2dClassifier', CNNSettings, CNN2dClassifierFit>;

/**
 * A 2-D convolutional image classifier: x [batch, channels, H, W] → class probabilities (a
 * sigmoid on one output for two classes, a softmax otherwise). The image size is fixed by `fit`.
 *
 * Objective: mean cross entropy of the labels, minimised with Adam. With `earlyStopping`, a
 * stratified, seeded `validationFraction` of the images is held out and the best weights
 * restored. `classes`, `predictProba` ([n, classes]) and `predict` (labels [n]) as in
 * MLPClassifier.
 */
export class CNN2dClassifier extends BaseCNN {
  private shape: CNN2dClassifierFit | null = null;

  constructor(options: CNNOptions = {}) {
    super('CNN2dClassifier', options, { learningRate: 3e-3, maxIter: 30, batchSize: 32 });
  }

  protected get modelName(): string {
    return 'CNN2dClassifier';
  }

  protected get estimatorType(): EstimatorType {
    return 'classifier';
  }

  protected override fittedClasses(): readonly number[] {
    return this.shape?.classes ?? [];
  }

  /** The class labels, ascending. */
  get classes(): number[] {
    this.requireFitted('classes');
    return [...(this.shape as CNN2dClassifierFit).classes];
  }

  private readX(method: string, x: ArrayInput): Tensor {
    const s = this.shape;
    return readInput(`CNN2dClassifier.${method}`, x, { names: ['batch', 'channels', 'height', 'width'], sizes: [undefined, s?.channels, s?.height, s?.width] });
  }

  /** Trains from fresh (seeded) weights on images x [n, channels, H, W] and integer labels y [n]; keeps the loss per epoch in `history`. */
  fit(x: ArrayInput, y: LabelInput, options?: FitCallOptions): this {
    const where = 'CNN2dClassifier.fit';
    return this.trainOn(where, x, { names: ['batch', 'channels', 'height', 'width'] }, options, (xt) => {
      const [n, channels, height, width] = xt.shape as [number, number, number, number];
      const { classes, index } = encodeLabels(where, y, n);
      this.buildNet(channels, [height, width], logitCount(classes.length));
      this.shape = { channels, height, width, classes };
      const k = classes.length;
      return { y: classTargets(where, index, k), loss: classificationLoss(k), training: this.settings, split: 'random', strata: index, stopOnPlateau: false };
    });
  }

  override forward(x: Tensor): Tensor {
    return super.forward(this.readX('forward', x));
  }

  /** Class probabilities [n, classes], columns in the order of `classes`. */
  predictProba(x: ArrayInput): Tensor {
    return this.probabilitiesFor('predictProba', x);
  }

  /** The most probable label of each image, [n]. */
  predict(x: ArrayInput): Tensor {
    return this.predictFor('predict', x);
  }

  protected predictFor(method: string, x: ArrayInput): Tensor {
    return tidy(() => labelsOf(this.probabilitiesFor(method, x), this.classes));
  }

  private probabilitiesFor(method: string, x: ArrayInput): Tensor {
    this.requireFitted(method);
    return tidy(() => probabilities(predictLoop(this, this.readX(method, x)), this.classes.length));
  }

  config(): CNN2dClassifierConfig {
    const s = this.shape;
    return { kind: 'CNN2dClassifier', options: this.settingsConfig(), fitted: s === null ? null : { ...s, classes: [...s.classes] } };
  }

  /** Rebuilds a model (layers included when it was fitted) from `config()`; weights are fresh. */
  static fromConfig(c: CNN2dClassifierConfig): CNN2dClassifier {
    const { options, fitted } = readConfig<CNNSettings>('CNN2dClassifier.fromConfig', c, 'CNN2dClassifier');
    const m = new CNN2dClassifier(options);
    if (fitted !== null) {
      const f = fitted as unknown as CNN2dClassifierFit;
      if (!Array.isArray(f.classes) || f.classes.length < 2) throw new ValueError(`CNN2dClassifier.fromConfig: fitted.classes must list at least two labels, got ${JSON.stringify(f.classes)}`);
      m.buildNet(f.channels, [f.height, f.width], logitCount(f.classes.length));
      m.shape = { ...f, classes: [...f.classes] };
    }
    return m;
  }
}

