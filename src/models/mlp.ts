// Multi-layer perceptrons with scikit-learn's names and objective: MLPClassifier (sigmoid output
// for two classes, softmax for more) and MLPRegressor (identity output), trained by fit() with
// Adam (or SGD) on mini-batches, with sklearn's L2 penalty `alpha` and stopping rules.
import { isGradEnabled } from '../autograd/graph.js';
import { Sigmoid, ReLU, Tanh } from '../nn/activations.js';
import { Linear } from '../nn/linear.js';
import type { Module } from '../nn/module.js';
import { Sequential } from '../nn/sequential.js';
import { bceWithLogits, crossEntropy, mseLoss, sigmoidFocalLoss } from '../ops/losses.js';
import { mean, sum } from '../ops/reduce.js';
import { ArgumentError } from '../errors.js';
import { type ClassWeight, classWeightOption, combineWeights, resolveClassWeights, rowWeights } from './solvers/class-weight.js';
import { square } from '../ops/unary.js';
import { Generator } from '../tensor/random.js';
import { tidy } from '../tensor/scope.js';
import { Tensor } from '../tensor/tensor.js';
import { predict as predictLoop } from '../train/fit.js';
import type { LossFn } from '../train/losses.js';
import { Estimator, type EstimatorConfig, type EstimatorType, SAMPLE_WEIGHT_OPTION, readConfig } from './estimator.js';
import { type ArrayInput, type LabelInput, type TargetInput, encodeLabels, featureSpec, readInput, readTargets } from './input.js';
import { type HostPlan, hostArgmax, hostPlan, hostProbabilities, hostResult, runHostPlan } from './small-batch.js';
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
  weightedLoss,
  withWeights,
} from './training.js';
import { is, readOptions } from '../validate.js';

/** sklearn's hidden-layer activations. */
export type MLPActivation = 'relu' | 'tanh' | 'logistic' | 'identity';

export interface MLPOptions extends TrainingOptions {
  /** Units of each hidden layer. Default [100] (sklearn). */
  hiddenLayerSizes?: number[];
  /** Hidden-layer activation. Default 'relu'. */
  activation?: MLPActivation;
  /** L2 penalty: adds alpha/(2·batch rows)·Σ‖W‖² (weights, not biases) to each batch's loss, as sklearn. Default 1e-4. */
  alpha?: number;
  /** MLPClassifier only: 'balanced' or a weight per class label, multiplying each row's loss (scikit-learn's class_weight). */
  classWeight?: ClassWeight;
  /**
   * MLPClassifier with two classes only: train on the focal loss with this focusing exponent γ
   * (sigmoidFocalLoss, no α: weigh classes with classWeight). 0 (default) is the log loss.
   */
  focalGamma?: number;
}

/** `fit`'s options: progress callbacks, and one weight ≥ 0 per row multiplying its loss. */
export interface MLPFitOptions extends FitCallOptions {
  sampleWeight?: ArrayLike<number> | Tensor;
}

interface MLPSettings extends ResolvedTraining {
  hiddenLayerSizes: number[];
  activation: MLPActivation;
  alpha: number;
  classWeight: ClassWeight;
  focalGamma: number;
}

/** What the layers were built for; null before fit. */
interface MLPShape {
  nFeatures: number;
  nOutputs: number;
}

export type MLPClassifierConfig = EstimatorConfig<'MLPClassifier', MLPSettings, MLPShape & { classes: number[] }>;

export type MLPRegressorConfig = EstimatorConfig<'MLPRegressor', MLPSettings, MLPShape & { flatTarget: boolean }>;

const ACTIVATIONS = ['relu', 'tanh', 'logistic', 'identity'] as const;

// Rows per forward pass when predicting: a batch up to this goes through each layer's GEMM in
// one call (a [4096, 100] activation is 1.6 MB); larger inputs are cut into such chunks.
const PREDICT_BATCH = 4096;

/** MLPClassifier's and MLPRegressor's options: the training options and these. */
const MLP_OPTIONS = {
  ...TRAINING_OPTIONS,
  hiddenLayerSizes: is.list(is.int({ min: 1 })),
  activation: is.oneOf(ACTIVATIONS),
  alpha: is.number({ min: 0 }),
  classWeight: classWeightOption,
  focalGamma: is.number({ min: 0 }),
} satisfies Record<keyof MLPOptions, unknown>;

const MLP_FIT_OPTIONS = { callbacks: is.any, ...SAMPLE_WEIGHT_OPTION };

function settingsOf(model: string, options: unknown): MLPSettings {
  const o = readOptions(model, options, MLP_OPTIONS);
  return {
    ...resolveTraining(o, { learningRate: 1e-3, maxIter: 200, batchSize: 'auto' }),
    hiddenLayerSizes: o.hiddenLayerSizes ?? [100],
    activation: o.activation ?? 'relu',
    alpha: o.alpha ?? 1e-4,
    classWeight: o.classWeight ?? null,
    focalGamma: o.focalGamma ?? 0,
  };
}

function activationLayer(a: MLPActivation): Module | null {
  return a === 'relu' ? new ReLU() : a === 'tanh' ? new Tanh() : a === 'logistic' ? new Sigmoid() : null;
}

// The shared network: Linear layers with the activation between them, PyTorch-style keys
// `net.0.weight`, `net.2.weight`, …
abstract class BaseMLP extends Estimator {
  protected readonly settings: MLPSettings;
  protected net: Sequential | null = null;
  protected shape: MLPShape | null = null;
  // The host path's plan of `net` (remade when the layers are rebuilt).
  private plan: { net: Sequential; plan: HostPlan | null } | null = null;
  private readonly generator: Generator;

  protected constructor(name: string, options: MLPOptions) {
    super();
    this.settings = settingsOf(name, options);
    this.generator = new Generator(this.settings.seed);
  }

  get isFitted(): boolean {
    return this.net !== null;
  }

  /** Features the model was fitted on. */
  get nFeatures(): number {
    this.requireFitted('nFeatures');
    return (this.shape as MLPShape).nFeatures;
  }

  /** Builds fresh layers (seeded) for `shape`, replacing any previous ones. */
  protected build(shape: MLPShape): void {
    const g = this.generator.manualSeed(this.settings.seed);
    const sizes = [shape.nFeatures, ...this.settings.hiddenLayerSizes, shape.nOutputs];
    const net = this.buildLayers((made) => {
      const layers: Module[] = [];
      for (let i = 0; i + 1 < sizes.length; i++) {
        layers.push(made(new Linear(sizes[i] as number, sizes[i + 1] as number, { generator: g })));
        const act = i + 2 < sizes.length ? activationLayer(this.settings.activation) : null;
        if (act !== null) layers.push(act);
      }
      return new Sequential(...layers);
    });
    this.net = this.replaceChild('net', net, this.net);
    this.shape = shape;
  }

  /** The network's raw output for x [n, features]: logits (classifier) or predictions (regressor). */
  forward(x: Tensor): Tensor {
    this.requireFitted('forward');
    return (this.net as Sequential).forward(x);
  }

  /** Adds sklearn's L2 term to a batch loss; only while training (validation losses stay plain). */
  protected penalised(loss: LossFn): LossFn {
    const alpha = this.settings.alpha;
    if (alpha === 0) return loss;
    const weights = (this.net as Sequential).layers.filter((l): l is Linear => l instanceof Linear).map((l) => l.weight);
    return (pred, target) => {
      const base = loss(pred, target);
      if (!isGradEnabled()) return base;
      let sq = sum(square(weights[0] as Tensor));
      for (const w of weights.slice(1)) sq = sq.add(sum(square(w)));
      return base.add(sq.mul(alpha / (2 * (pred.shape[0] as number))));
    };
  }

  protected readX(method: string, x: ArrayInput): Tensor {
    return readInput(`${this.modelName}.${method}`, x, featureSpec(this.shape?.nFeatures));
  }

  /**
   * The network's output [n, k] for a few rows, computed on the host in float64 from float64
   * copies of the weights (remade whenever a parameter changes); null for larger batches.
   */
  protected hostOutputs(method: string, x: ArrayInput): { z: Float64Array; n: number; k: number } | null {
    this.requireFitted(method);
    const net = this.net as Sequential;
    if (this.plan === null || this.plan.net !== net) this.plan = { net, plan: hostPlan(net.layers) };
    const plan = this.plan.plan;
    if (plan === null) return null;
    const rows = this.smallRows(method, x as Tensor, (this.shape as MLPShape).nFeatures);
    if (rows === null) return null;
    const { z, k } = runHostPlan(plan, this.hostParameters(plan.params), rows.host, rows.n);
    return { z, n: rows.n, k };
  }

  protected settingsConfig(): MLPSettings {
    return { ...this.settings, hiddenLayerSizes: [...this.settings.hiddenLayerSizes] };
  }
}

/**
 * A multi-layer perceptron classifier (sklearn's `MLPClassifier`).
 *
 * Objective per batch B: mean cross entropy of the labels under the model's probabilities —
 * a sigmoid on one output for two classes, a softmax over one output per class otherwise —
 * plus alpha/(2·|B|)·Σ‖W‖² over the weight matrices. Without `earlyStopping`, training stops
 * when the training loss has not improved by `tol` for `nIterNoChange` epochs (sklearn's rule);
 * with it, when the loss on a stratified, seeded `validationFraction` of the rows stops
 * improving, and the best weights are restored.
 *
 * `fit(x, y)` takes x [n, features] (tensor or rows) and integer labels (tensor [n] or numbers);
 * `classes` lists the labels in ascending order; `predictProba(x)` is [n, classes];
 * `predict(x)` returns the labels [n].
 */
export class MLPClassifier extends BaseMLP {
  private classList: number[] | null = null;

  constructor(options: MLPOptions = {}) {
    super('MLPClassifier', options);
  }

  protected get modelName(): string {
    return 'MLPClassifier';
  }

  /** The class labels, ascending (sklearn's `classes_`). */
  get classes(): number[] {
    this.requireFitted('classes');
    return [...(this.classList as number[])];
  }

  /**
   * Trains from fresh (seeded) weights; keeps the loss per epoch in `history` (and `valLoss` with
   * early stopping). `sampleWeight` and the `classWeight` option multiply each row's loss.
   */
  fit(x: ArrayInput, y: LabelInput, options?: MLPFitOptions): this {
    const where = 'MLPClassifier.fit';
    const { sampleWeight, ...rest } = readOptions(where, options, MLP_FIT_OPTIONS);
    return this.trainOn(where, x, { names: ['samples', 'features'] }, rest as FitCallOptions, (xt) => {
      const [n, d] = xt.shape as [number, number];
      const { classes, index } = encodeLabels(where, y, n);
      const k = classes.length;
      const perClass = resolveClassWeights(where, this.settings.classWeight, classes, index);
      const w = combineWeights(where, perClass === null ? null : rowWeights(perClass, index), sampleWeight, n);
      this.build({ nFeatures: d, nOutputs: logitCount(k) });
      this.classList = classes;
      const targets = classTargets(where, index, k);
      const gamma = this.settings.focalGamma;
      if (gamma > 0 && k !== 2) throw new ArgumentError(`${where}: focalGamma applies to two classes; y has ${k}`, where, 'focalGamma');
      const perRow = (logits: Tensor, t: Tensor): Tensor =>
        k !== 2 ? crossEntropy(logits, t, { reduction: 'none' }) : gamma > 0 ? sigmoidFocalLoss(logits, t, { alpha: -1, gamma, reduction: 'none' }) : bceWithLogits(logits, t, { reduction: 'none' });
      const loss = w === null ? (gamma > 0 ? (logits: Tensor, t: Tensor) => mean(perRow(logits, t)) : classificationLoss(k)) : weightedLoss(perRow, k !== 2);
      return { y: w === null ? targets : withWeights(targets, w), loss: this.penalised(loss), training: this.settings, split: 'random', strata: index, stopOnPlateau: true };
    });
  }

  protected get estimatorType(): EstimatorType {
    return 'classifier';
  }

  protected override fittedClasses(): readonly number[] {
    return this.classList ?? [];
  }

  /** Class probabilities [n, classes], columns in the order of `classes`. */
  predictProba(x: ArrayInput): Tensor {
    const small = this.hostOutputs('predictProba', x);
    if (small !== null) {
      const k = (this.classList as number[]).length;
      const t = Tensor.empty([small.n, k]);
      hostProbabilities(small.z, small.n, small.k, t.data);
      return t;
    }
    return this.probabilitiesFor('predictProba', x);
  }

  /** The most probable label of each row, [n]. */
  predict(x: ArrayInput): Tensor {
    return this.predictFor('predict', x);
  }

  protected predictFor(method: string, x: ArrayInput): Tensor {
    const small = this.hostOutputs(method, x);
    const classes = this.classList as number[];
    if (small !== null) {
      const k = classes.length;
      // Float32 probabilities decide, as on the batch path, so both give the same label at a tie.
      const p = hostProbabilities(small.z, small.n, small.k, new Float32Array(small.n * k));
      const t = Tensor.empty([small.n]);
      hostArgmax(p, small.n, k).forEach((c, i) => (t.data[i] = classes[c] as number));
      return t;
    }
    return tidy(() => labelsOf(this.probabilitiesFor(method, x), classes));
  }

  private probabilitiesFor(method: string, x: ArrayInput): Tensor {
    this.requireFitted(method);
    return tidy(() => probabilities(predictLoop(this, this.readX(method, x), { batchSize: PREDICT_BATCH }), (this.classList as number[]).length));
  }

  config(): MLPClassifierConfig {
    const fitted = this.shape === null ? null : { ...this.shape, classes: [...(this.classList as number[])] };
    return { kind: 'MLPClassifier', options: this.settingsConfig(), fitted };
  }

  /** Rebuilds a model (layers included when it was fitted) from `config()`; weights are fresh. */
  static fromConfig(c: MLPClassifierConfig): MLPClassifier {
    const { options, fitted } = readConfig<MLPSettings>('MLPClassifier.fromConfig', c, 'MLPClassifier');
    const m = new MLPClassifier(options);
    const f = fitted as (MLPShape & { classes: number[] }) | null;
    if (f !== null) {
      m.build({ nFeatures: f.nFeatures, nOutputs: f.nOutputs });
      m.classList = [...f.classes];
    }
    return m;
  }
}

/**
 * A multi-layer perceptron regressor (sklearn's `MLPRegressor`): identity output.
 *
 * Objective per batch B: ½·mean squared error over rows and outputs plus
 * alpha/(2·|B|)·Σ‖W‖² over the weight matrices; stopping as `MLPClassifier` (validation rows
 * drawn at random, seeded).
 *
 * `fit(x, y)` takes x [n, features] and y [n] or [n, outputs]; `predict(x)` returns the same
 * layout ([m] or [m, outputs]).
 */
export class MLPRegressor extends BaseMLP {
  private flatTarget = true;

  constructor(options: MLPOptions = {}) {
    super('MLPRegressor', options);
    if (this.settings.classWeight !== null) throw new ArgumentError('MLPRegressor: classWeight applies to classifiers (MLPClassifier)', 'MLPRegressor', 'classWeight');
    if (this.settings.focalGamma !== 0) throw new ArgumentError('MLPRegressor: focalGamma applies to classifiers (MLPClassifier)', 'MLPRegressor', 'focalGamma');
  }

  protected get modelName(): string {
    return 'MLPRegressor';
  }

  /** Trains from fresh (seeded) weights; keeps the loss per epoch in `history`. `sampleWeight` multiplies each row's loss. */
  fit(x: ArrayInput, y: TargetInput, options?: MLPFitOptions): this {
    const where = 'MLPRegressor.fit';
    const { sampleWeight, ...rest } = readOptions(where, options, MLP_FIT_OPTIONS);
    return this.trainOn(where, x, { names: ['samples', 'features'] }, rest as FitCallOptions, (xt) => {
      const [n, d] = xt.shape as [number, number];
      const { y: yt, flat } = readTargets(where, y, n);
      const w = combineWeights(where, null, sampleWeight, n);
      this.build({ nFeatures: d, nOutputs: yt.shape[1] as number });
      this.flatTarget = flat;
      const loss = w === null ? (p: Tensor, t: Tensor) => mseLoss(p, t).mul(0.5) : weightedLoss((p, t) => mean(mseLoss(p, t, { reduction: 'none' }), 1).mul(0.5), false);
      return { y: w === null ? yt : withWeights(yt, w), loss: this.penalised(loss), training: this.settings, split: 'random', stopOnPlateau: true };
    });
  }

  protected get estimatorType(): EstimatorType {
    return 'regressor';
  }

  /** Predictions [n] (or [n, outputs] when fitted on several outputs). */
  predict(x: ArrayInput): Tensor {
    return this.predictFor('predict', x);
  }

  protected predictFor(method: string, x: ArrayInput): Tensor {
    const small = this.hostOutputs(method, x);
    if (small !== null) return hostResult(small.z.subarray(0, small.n * small.k), this.flatTarget ? [small.n] : [small.n, small.k]);
    this.requireFitted(method);
    return tidy(() => {
      const out = predictLoop(this, this.readX(method, x), { batchSize: PREDICT_BATCH });
      return this.flatTarget ? out.reshape([out.shape[0] as number]) : out;
    });
  }

  config(): MLPRegressorConfig {
    const fitted = this.shape === null ? null : { ...this.shape, flatTarget: this.flatTarget };
    return { kind: 'MLPRegressor', options: this.settingsConfig(), fitted };
  }

  /** Rebuilds a model (layers included when it was fitted) from `config()`; weights are fresh. */
  static fromConfig(c: MLPRegressorConfig): MLPRegressor {
    const { options, fitted } = readConfig<MLPSettings>('MLPRegressor.fromConfig', c, 'MLPRegressor');
    const m = new MLPRegressor(options);
    const f = fitted as (MLPShape & { flatTarget: boolean }) | null;
    if (f !== null) {
      m.build({ nFeatures: f.nFeatures, nOutputs: f.nOutputs });
      m.flatTarget = f.flatTarget;
    }
    return m;
  }
}

