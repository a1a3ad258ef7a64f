// The Keras surface, for people coming from the Keras examples: `fg.keras.Sequential` is an
// nn.Sequential with Keras's training methods (and the only place Keras's names are accepted):
//   const model = new fg.keras.Sequential(new fg.nn.Linear(20, 16), new fg.nn.ReLU(), …);
//   model.compile({ loss: 'binaryCrossentropy', optimizer: 'adam', metrics: ['accuracy'] });
//   model.fit(x, y, { epochs: 100, batchSize: 32 });
//   model.evaluate(xTest, yTest);  model.predict(x);
// It is a thin layer over fit/evaluate/predict and the optimizers.
import { FingradError, ValueError } from '../errors.js';
import { Sequential as NnSequential } from '../nn/sequential.js';
import { Adam, AdamW } from '../optim/adam.js';
import type { Optimizer } from '../optim/optimizer.js';
import { RMSprop } from '../optim/rmsprop.js';
import { SGD } from '../optim/sgd.js';
import { type TypedArray, tensor } from '../tensor/creation.js';
import { keep } from '../tensor/scope.js';
import { type NestedArray, Tensor } from '../tensor/tensor.js';
import { is, readOptions } from '../validate.js';
import { type Callback, type History, type Logs, evaluate, fit, predict } from './fit.js';
import { type LossFn, type LossName, resolveLoss } from './losses.js';
import type { MetricSpec } from './metrics.js';

export type OptimizerName = 'adam' | 'adamw' | 'sgd' | 'rmsprop';

export interface CompileOptions {
  loss: LossName | LossFn;
  /** An optimizer name (Keras defaults: adam 1e-3, sgd 1e-2, rmsprop 1e-3) or an instance. */
  optimizer: OptimizerName | Optimizer;
  metrics?: MetricSpec[];
  /** Learning rate for an optimizer given by name. */
  learningRate?: number;
}

export interface KerasFitOptions {
  epochs?: number;
  batchSize?: number;
  /**
   * Fraction held out for validation: the last rows, taken before shuffling (Keras' rule). A
   * metric undefined on them (AUC when they hold one class) is NaN with a warning.
   */
  validationSplit?: number;
  validationData?: [Tensor | NestedArray | TypedArray, Tensor | NestedArray | TypedArray];
  shuffle?: boolean;
  seed?: number;
  callbacks?: Callback[];
  /** 1 prints one progress line per epoch (Keras' verbose); 0 is silent (default). */
  verbose?: 0 | 1;
}

interface Compiled {
  loss: LossFn;
  optimizer: Optimizer;
  metrics: MetricSpec[];
}

function makeOptimizer(name: OptimizerName, params: Tensor[], lr: number | undefined): Optimizer {
  switch (name) {
    case 'adam': return new Adam(params, { lr: lr ?? 1e-3 });
    case 'adamw': return new AdamW(params, { lr: lr ?? 1e-3 });
    case 'sgd': return new SGD(params, { lr: lr ?? 1e-2 });
    case 'rmsprop': return new RMSprop(params, { lr: lr ?? 1e-3 });
    default: throw new ValueError(`compile: unknown optimizer '${String(name)}'; expected adam, adamw, sgd, rmsprop or an Optimizer`);
  }
}

function asTensor(v: Tensor | NestedArray | TypedArray): { t: Tensor; owned: boolean } {
  return v instanceof Tensor ? { t: v, owned: false } : { t: keep(tensor(v)), owned: true };
}

// Keras's option names, checked like every other options object: an unknown key (a PyTorch or
// snake_case name) is an UnknownOptionError with a did-you-mean, a wrong type an ArgumentError.
const COMPILE = { loss: is.any, optimizer: is.any, metrics: is.list(is.any), learningRate: is.number({ min: 0 }) } satisfies Record<keyof CompileOptions, unknown>;
const KERAS_FIT = {
  epochs: is.int({ min: 1 }),
  batchSize: is.int({ min: 1 }),
  validationSplit: is.number({ min: 0, max: 1, maxOpen: true }),
  validationData: is.list(is.any),
  shuffle: is.boolean,
  seed: is.int(),
  callbacks: is.list(is.any),
  verbose: is.int({ min: 0, max: 1 }),
} satisfies Record<keyof KerasFitOptions, unknown>;
const BATCHED = { batchSize: is.int({ min: 1 }) };

/**
 * Keras's Sequential: an nn.Sequential (same layers, forward, state dict, ONNX export) that also
 * has compile / fit / evaluate / predict with Keras's names and defaults.
 */
export class Sequential extends NnSequential {
  private compiled: Compiled | null = null;

  private state(op: string): Compiled {
    if (this.compiled === null) throw new FingradError(`${op}: call model.compile({loss, optimizer}) first`);
    return this.compiled;
  }

  /** Chooses the loss, the optimizer and the metrics for fit/evaluate (Keras). */
  compile(options: CompileOptions): void {
    readOptions('compile', options, COMPILE);
    if (options.loss === undefined || options.optimizer === undefined) throw new ValueError('compile: options need a loss and an optimizer');
    const optimizer = typeof options.optimizer === 'string' ? makeOptimizer(options.optimizer, this.parameters(), options.learningRate) : options.optimizer;
    this.compiled?.optimizer.dispose();
    this.compiled = { loss: resolveLoss(options.loss), optimizer, metrics: options.metrics ?? [] };
  }

  /** Trains on x, y (tensors or nested arrays); returns the per-epoch history. */
  fit(x: Tensor | NestedArray | TypedArray, y: Tensor | NestedArray | TypedArray, options: KerasFitOptions = {}): History {
    readOptions('fit', options, KERAS_FIT);
    const c = this.state('fit');
    const xs = asTensor(x);
    const ys = asTensor(y);
    const val = options.validationData?.map(asTensor);
    const callbacks = [...(options.callbacks ?? [])];
    if (options.verbose === 1) {
      const epochs = options.epochs ?? 1;
      callbacks.push({
        onEpochEnd: (epoch, logs) => {
          const shown = Object.entries(logs).filter(([k]) => k !== 'epoch' && k !== 'lr' && k !== 'seconds');
          console.log(`Epoch ${epoch}/${epochs} - ${logs.seconds?.toFixed(2)}s - ${shown.map(([k, v]) => `${k}: ${v.toFixed(4)}`).join(' - ')}`);
        },
      });
    }
    try {
      return fit(this, { x: xs.t, y: ys.t }, {
        lossFn: c.loss,
        optimizer: c.optimizer,
        metrics: c.metrics,
        callbacks,
        ...(options.epochs !== undefined && { epochs: options.epochs }),
        ...(options.batchSize !== undefined && { batchSize: options.batchSize }),
        ...(options.validationSplit !== undefined && { validationSplit: options.validationSplit }),
        ...(val && { validationData: { x: (val[0] as { t: Tensor }).t, y: (val[1] as { t: Tensor }).t } }),
        ...(options.shuffle !== undefined && { shuffle: options.shuffle }),
        ...(options.seed !== undefined && { seed: options.seed }),
      });
    } finally {
      for (const v of [xs, ys, ...(val ?? [])]) if (v.owned) v.t.dispose();
    }
  }

  /** Loss and compiled metrics on x, y. */
  evaluate(x: Tensor | NestedArray | TypedArray, y: Tensor | NestedArray | TypedArray, options: { batchSize?: number } = {}): Logs {
    readOptions('evaluate', options, BATCHED);
    const c = this.state('evaluate');
    const xs = asTensor(x);
    const ys = asTensor(y);
    try {
      return evaluate(this, { x: xs.t, y: ys.t }, { lossFn: c.loss, metrics: c.metrics, ...options });
    } finally {
      for (const v of [xs, ys]) if (v.owned) v.t.dispose();
    }
  }

  /** Outputs for x, batched, in eval mode, without gradients. */
  predict(x: Tensor | NestedArray | TypedArray, options: { batchSize?: number } = {}): Tensor {
    readOptions('predict', options, BATCHED);
    const xs = asTensor(x);
    try {
      return predict(this, xs.t, options);
    } finally {
      if (xs.owned) xs.t.dispose();
    }
  }
}
