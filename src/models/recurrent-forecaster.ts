// RecurrentForecaster: an LSTM, GRU or Elman RNN reads a window of past values (any number of
// features) and a linear head maps its last hidden state to the next `horizon` values.
import { ValueError } from '../errors.js';
import { Linear } from '../nn/linear.js';
import { GRU, LSTM, RNN } from '../nn/recurrent.js';
import { mseLoss } from '../ops/losses.js';
import { select } from '../ops/slice.js';
import { Generator } from '../tensor/random.js';
import { tidy } from '../tensor/scope.js';
import type { Tensor } from '../tensor/tensor.js';
import { predict as predictLoop } from '../train/fit.js';
import { Estimator, type EstimatorConfig, type EstimatorType, readConfig } from './estimator.js';
import { type FitCallOptions, type ResolvedTraining, TRAINING_OPTIONS, type TrainingOptions, resolveTraining } from './training.js';
import { type ArrayInput, type TargetInput, readInput, readTargets } from './input.js';
import { is, readOptions } from '../validate.js';

export type RecurrentCell = 'lstm' | 'gru' | 'rnn';

export interface RecurrentForecasterOptions extends TrainingOptions {
  /** The recurrent layer: 'lstm' (default), 'gru', or 'rnn' (Elman, tanh). */
  cell?: RecurrentCell;
  /** Units of the hidden state. Default 32. */
  hiddenSize?: number;
  /** Stacked recurrent layers. Default 1. */
  numLayers?: number;
  /** Values forecast per window; taken from y in fit when not given or null (then y must match). */
  horizon?: number | null;
  /** Dropout between stacked layers while training. Default 0. */
  dropout?: number;
}

interface ForecasterSettings extends ResolvedTraining {
  cell: RecurrentCell;
  hiddenSize: number;
  numLayers: number;
  horizon: number | null;
  dropout: number;
}

const OPTIONS = {
  ...TRAINING_OPTIONS,
  cell: is.oneOf(['lstm', 'gru', 'rnn'] as const),
  hiddenSize: is.int({ min: 1 }),
  numLayers: is.int({ min: 1 }),
  horizon: is.nullable(is.int({ min: 1 })),
  dropout: is.number({ min: 0, max: 1, maxOpen: true }),
} satisfies Record<keyof RecurrentForecasterOptions, unknown>;

/** Features per step and values per forecast the layers were built for. */
export interface RecurrentForecasterFit {
  nFeatures: number;
  horizon: number;
  flatTarget: boolean;
}

export type RecurrentForecasterConfig = EstimatorConfig<'RecurrentForecaster', ForecasterSettings, RecurrentForecasterFit>;

/**
 * Forecasts the next value(s) of a series from a window of its past: x [batch, time, features]
 * (batch-first; the window length may differ between calls) → [batch, horizon]. The last
 * hidden state of the top recurrent layer goes through a linear head.
 *
 * Objective: mean squared error over rows and horizon steps, minimised with Adam (gradient norm
 * clipped to `clipNorm`, default 1). With `earlyStopping`, the latest `validationFraction` of
 * the windows (the last rows, in time order) are held out and the best weights restored.
 * `makeWindows(series, window, horizon)` builds (x, y) from a series.
 */
export class RecurrentForecaster extends Estimator {
  private readonly settings: ForecasterSettings;
  private readonly generator: Generator;
  private rnn: LSTM | GRU | RNN | null = null;
  private head: Linear | null = null;
  private shape: RecurrentForecasterFit | null = null;

  constructor(options?: RecurrentForecasterOptions) {
    super();
    const o = readOptions('RecurrentForecaster', options, OPTIONS);
    this.settings = {
      ...resolveTraining(o, { learningRate: 5e-3, maxIter: 100, batchSize: 32, clipNorm: 1 }),
      cell: o.cell ?? 'lstm',
      hiddenSize: o.hiddenSize ?? 32,
      numLayers: o.numLayers ?? 1,
      horizon: o.horizon ?? null,
      dropout: o.dropout ?? 0,
    };
    this.generator = new Generator(this.settings.seed);
  }

  get isFitted(): boolean {
    return this.rnn !== null;
  }

  protected get modelName(): string {
    return 'RecurrentForecaster';
  }

  protected get estimatorType(): EstimatorType {
    return 'regressor';
  }

  /** Values forecast per window. */
  get horizon(): number {
    this.requireFitted('horizon');
    return (this.shape as RecurrentForecasterFit).horizon;
  }

  private build(shape: RecurrentForecasterFit): void {
    const s = this.settings;
    const g = this.generator.manualSeed(s.seed);
    const opts = { numLayers: s.numLayers, dropout: s.dropout, generator: g };
    const { rnn, head } = this.buildLayers((made) => ({
      rnn: made(s.cell === 'lstm' ? new LSTM(shape.nFeatures, s.hiddenSize, opts) : s.cell === 'gru' ? new GRU(shape.nFeatures, s.hiddenSize, opts) : new RNN(shape.nFeatures, s.hiddenSize, opts)),
      head: made(new Linear(s.hiddenSize, shape.horizon, { generator: g })),
    }));
    this.rnn = this.replaceChild('rnn', rnn, this.rnn);
    this.head = this.replaceChild('head', head, this.head);
    this.shape = shape;
  }

  /** Forecasts [batch, horizon] for windows x [batch, time, features]. */
  forward(x: Tensor): Tensor {
    this.requireFitted('forward');
    const { hN } = (this.rnn as LSTM | GRU | RNN).run(this.readX('forward', x));
    return (this.head as Linear).forward(select(hN, 0, this.settings.numLayers - 1));
  }

  private readX(method: string, x: ArrayInput): Tensor {
    return readInput(`RecurrentForecaster.${method}`, x, { names: ['batch', 'time', 'features'], sizes: [undefined, undefined, this.shape?.nFeatures] });
  }

  /**
   * Trains from fresh (seeded) weights on windows x [n, time, features] and targets y
   * [n, horizon] (or [n] for one step). Returns the loss per epoch.
   */
  fit(x: ArrayInput, y: TargetInput, options?: FitCallOptions): this {
    const where = 'RecurrentForecaster.fit';
    return this.trainOn(where, x, { names: ['batch', 'time', 'features'] }, options, (xt) => {
      const { y: yt, flat } = readTargets(where, y, xt.shape[0] as number);
      const horizon = yt.shape[1] as number;
      if (this.settings.horizon !== null && this.settings.horizon !== horizon) {
        throw new ValueError(`${where}: the model forecasts horizon ${this.settings.horizon} but y has ${horizon} values per row (shape [${yt.shape.join(', ')}])`);
      }
      this.build({ nFeatures: xt.shape[2] as number, horizon, flatTarget: flat });
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

  config(): RecurrentForecasterConfig {
    return { kind: 'RecurrentForecaster', options: { ...this.settings }, fitted: this.shape === null ? null : { ...this.shape } };
  }

  /** Rebuilds a model (layers included when it was fitted) from `config()`; weights are fresh. */
  static fromConfig(c: RecurrentForecasterConfig): RecurrentForecaster {
    const { options, fitted } = readConfig<ForecasterSettings>('RecurrentForecaster.fromConfig', c, 'RecurrentForecaster');
    const m = new RecurrentForecaster(options);
    if (fitted !== null) m.build({ ...(fitted as unknown as RecurrentForecasterFit) });
    return m;
  }
}

