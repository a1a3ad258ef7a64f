// Multi-layer perceptrons with scikit-learn's names and objective: MLPClassifier (sigmoid output
// for two classes, softmax for more) and MLPRegressor (identity output), trained by fit() with
// Adam (or SGD) on mini-batches, with sklearn's L2 penalty `alpha` and stopping rules.
import { isGradEnabled } from '../autograd/graph.js';
import { registerModel } from '../io/checkpoint.js';
import { Sigmoid, ReLU, Tanh } from '../nn/activations.js';
import { Linear } from '../nn/linear.js';
import type { Module } from '../nn/module.js';
import { Sequential } from '../nn/sequential.js';
import { mseLoss } from '../ops/losses.js';
import { sum } from '../ops/reduce.js';
import { square } from '../ops/unary.js';
import { Generator } from '../tensor/random.js';
import { tidy } from '../tensor/scope.js';
import type { Tensor } from '../tensor/tensor.js';
import { predict as predictLoop } from '../train/fit.js';
import type { LossFn } from '../train/losses.js';
import {
  Estimator,
  type FitCallOptions,
  type ResolvedTraining,
  TRAINING_OPTIONS,
  type TrainingOptions,
  classTargets,
  classificationLoss,
  encodeLabels,
  labelsOf,
  logitCount,
  optionsOf,
  probabilities,
  resolveTraining,
} from './estimator.js';
import { type ArrayInput, type LabelInput, type TargetInput, readInput, readTargets } from './input.js';
import { accuracyScore, r2Score } from './score.js';
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
}

interface MLPSettings extends ResolvedTraining {
  hiddenLayerSizes: number[];
  activation: MLPActivation;
  alpha: number;
}

/** What the layers were built for; null before fit. */
interface MLPShape {
  nFeatures: number;
  nOutputs: number;
}

export interface MLPClassifierConfig extends MLPSettings {
  kind: 'MLPClassifier';
  fitted: (MLPShape & { classes: number[] }) | null;
}

export interface MLPRegressorConfig extends MLPSettings {
  kind: 'MLPRegressor';
  fitted: (MLPShape & { flatTarget: boolean }) | null;
}

const ACTIVATIONS = ['relu', 'tanh', 'logistic', 'identity'] as const;

/** MLPClassifier's and MLPRegressor's options: the training options and these. */
const MLP_OPTIONS = {
  ...TRAINING_OPTIONS,
  hiddenLayerSizes: is.list(is.int({ min: 1 })),
  activation: is.oneOf(ACTIVATIONS),
  alpha: is.number({ min: 0 }),
} satisfies Record<keyof MLPOptions, unknown>;

function settingsOf(model: string, options: unknown): MLPSettings {
  const o = readOptions(model, options, MLP_OPTIONS);
  return {
    ...resolveTraining(o, { learningRate: 1e-3, maxIter: 200, batchSize: 'auto' }),
    hiddenLayerSizes: o.hiddenLayerSizes ?? [100],
    activation: o.activation ?? 'relu',
    alpha: o.alpha ?? 1e-4,
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
    const fittedOn = this.shape?.nFeatures;
    return readInput(`${this.modelName}.${method}`, x, { names: ['samples', 'features'], sizes: [undefined, fittedOn] });
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

  /** Trains from fresh (seeded) weights; keeps the loss per epoch in `history` (and `valLoss` with early stopping). */
  fit(x: ArrayInput, y: LabelInput, options?: FitCallOptions): this {
    const where = 'MLPClassifier.fit';
    return this.trainOn(where, x, { names: ['samples', 'features'] }, options, (xt) => {
      const [n, d] = xt.shape as [number, number];
      const { classes, index } = encodeLabels(where, y, n);
      const k = classes.length;
      this.build({ nFeatures: d, nOutputs: logitCount(k) });
      this.classList = classes;
      return { y: classTargets(where, index, k), loss: this.penalised(classificationLoss(k)), training: this.settings, split: 'random', strata: index, stopOnPlateau: true };
    });
  }

  /** Class probabilities [n, classes], columns in the order of `classes`. */
  predictProba(x: ArrayInput): Tensor {
    return this.probabilitiesFor('predictProba', x);
  }

  /** The most probable label of each row, [n]. */
  predict(x: ArrayInput): Tensor {
    return tidy(() => labelsOf(this.probabilitiesFor('predict', x), this.classList as number[]));
  }

  private probabilitiesFor(method: string, x: ArrayInput): Tensor {
    this.requireFitted(method);
    return tidy(() => probabilities(predictLoop(this, this.readX(method, x)), (this.classList as number[]).length));
  }

  /** Accuracy on (x, y). */
  score(x: ArrayInput, y: LabelInput): number {
    this.requireFitted('score');
    return tidy(() => {
      const classes = this.classList as number[];
      return accuracyScore('MLPClassifier.score', labelsOf(this.probabilitiesFor('score', x), classes).data, y, classes);
    });
  }

  config(): MLPClassifierConfig {
    const fitted = this.shape === null ? null : { ...this.shape, classes: [...(this.classList as number[])] };
    return { kind: 'MLPClassifier', ...this.settingsConfig(), fitted };
  }

  /** Rebuilds a model (layers included when it was fitted) from `config()`; weights are fresh. */
  static fromConfig(c: MLPClassifierConfig): MLPClassifier {
    const m = new MLPClassifier(optionsOf(c));
    if (c.fitted !== null) {
      m.build({ nFeatures: c.fitted.nFeatures, nOutputs: c.fitted.nOutputs });
      m.classList = [...c.fitted.classes];
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
  }

  protected get modelName(): string {
    return 'MLPRegressor';
  }

  /** Trains from fresh (seeded) weights; keeps the loss per epoch in `history`. */
  fit(x: ArrayInput, y: TargetInput, options?: FitCallOptions): this {
    const where = 'MLPRegressor.fit';
    return this.trainOn(where, x, { names: ['samples', 'features'] }, options, (xt) => {
      const [n, d] = xt.shape as [number, number];
      const { y: yt, flat } = readTargets(where, y, n);
      this.build({ nFeatures: d, nOutputs: yt.shape[1] as number });
      this.flatTarget = flat;
      return { y: yt, loss: this.penalised((p, t) => mseLoss(p, t).mul(0.5)), training: this.settings, split: 'random', stopOnPlateau: true };
    });
  }

  /** Predictions [n] (or [n, outputs] when fitted on several outputs). */
  predict(x: ArrayInput): Tensor {
    return this.predictFor('predict', x);
  }

  private predictFor(method: string, x: ArrayInput): Tensor {
    this.requireFitted(method);
    return tidy(() => {
      const out = predictLoop(this, this.readX(method, x));
      return this.flatTarget ? out.reshape([out.shape[0] as number]) : out;
    });
  }

  /** R² (coefficient of determination) on (x, y), averaged over outputs as sklearn. */
  score(x: ArrayInput, y: TargetInput): number {
    this.requireFitted('score');
    return tidy(() => {
      const pred = this.predictFor('score', x);
      const n = pred.shape[0] as number;
      const truth = readTargets('MLPRegressor.score', y, n).y.toFloat32Array();
      return r2Score(truth, pred.toFloat32Array(), n);
    });
  }

  config(): MLPRegressorConfig {
    const fitted = this.shape === null ? null : { ...this.shape, flatTarget: this.flatTarget };
    return { kind: 'MLPRegressor', ...this.settingsConfig(), fitted };
  }

  /** Rebuilds a model (layers included when it was fitted) from `config()`; weights are fresh. */
  static fromConfig(c: MLPRegressorConfig): MLPRegressor {
    const m = new MLPRegressor(optionsOf(c));
    if (c.fitted !== null) {
      m.build({ nFeatures: c.fitted.nFeatures, nOutputs: c.fitted.nOutputs });
      m.flatTarget = c.fitted.flatTarget;
    }
    return m;
  }
}

registerModel<MLPClassifierConfig>('MLPClassifier', (c) => MLPClassifier.fromConfig(c));
registerModel<MLPRegressorConfig>('MLPRegressor', (c) => MLPRegressor.fromConfig(c));
