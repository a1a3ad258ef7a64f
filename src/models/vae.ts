// A variational autoencoder for tabular rows: MLP encoder → (mu, logvar), z = mu + σ·ε with ε
// drawn from the model's own seeded Generator, MLP decoder. Trained through fit() on the
// negative ELBO; scores rows for anomaly detection (fraud-style: rare rows reconstruct badly).
import { isGradEnabled } from '../autograd/graph.js';
import { ValueError } from '../errors.js';
import { ReLU, Tanh } from '../nn/activations.js';
import { Linear } from '../nn/linear.js';
import type { Module } from '../nn/module.js';
import { Sequential } from '../nn/sequential.js';
import { concat } from '../ops/concat.js';
import { bceWithLogits, klNormal, mseLoss } from '../ops/losses.js';
import { sum } from '../ops/reduce.js';
import { slice } from '../ops/slice.js';
import { exp, sigmoid, square } from '../ops/unary.js';
import { randn } from '../tensor/creation.js';
import { Generator } from '../tensor/random.js';
import { tidy } from '../tensor/scope.js';
import type { Tensor } from '../tensor/tensor.js';
import { predict as predictLoop, type Callback, type History } from '../train/fit.js';
import { Estimator, type EstimatorConfig, type EstimatorType, readConfig } from './estimator.js';
import { type FitCallOptions, type ResolvedTraining, TRAINING_OPTIONS, type TrainingOptions, resolveTraining } from './training.js';
import { type ArrayInput, readInput } from './input.js';
import { is, readArgs, readOptions } from '../validate.js';

export interface VAEOptions extends TrainingOptions {
  /** Features per row; taken from x in fit when not given or null (then x must match). */
  inputDim?: number | null;
  /** Units of the encoder's hidden layers (the decoder mirrors them). Default [32]. */
  hiddenSizes?: number[];
  /** Dimension of the latent code z. Default 2. */
  latentDim?: number;
  /** Weight of the KL term (β-VAE); 1 is the ELBO. Default 1. */
  beta?: number;
  /**
   * 'mse' (default): Gaussian decoder, reconstruction term Σ_d (x̂_d − x_d)² per row;
   * 'bce': Bernoulli decoder for data in [0, 1], Σ_d BCE(logit_d, x_d) per row.
   */
  reconstruction?: 'mse' | 'bce';
  /** Hidden-layer activation. Default 'relu'. */
  activation?: 'relu' | 'tanh';
}

interface VAESettings extends ResolvedTraining {
  inputDim: number | null;
  hiddenSizes: number[];
  latentDim: number;
  beta: number;
  reconstruction: 'mse' | 'bce';
  activation: 'relu' | 'tanh';
}

const OPTIONS = {
  ...TRAINING_OPTIONS,
  inputDim: is.nullable(is.int({ min: 1 })),
  hiddenSizes: is.list(is.int({ min: 1 })),
  latentDim: is.int({ min: 1 }),
  beta: is.number({ min: 0 }),
  reconstruction: is.oneOf(['mse', 'bce'] as const),
  activation: is.oneOf(['relu', 'tanh'] as const),
} satisfies Record<keyof VAEOptions, unknown>;

const SCORE_OPTIONS = { method: is.oneOf(['elbo', 'reconstruction'] as const) } satisfies Record<keyof AnomalyScoreOptions, unknown>;
const SAMPLE_OPTIONS = { n: is.int({ min: 1 }), seed: is.number() };

/** VAE's checkpoint config; `fitted` holds the features the layers were built for. */
export type VAEConfig = EstimatorConfig<'VAE', VAESettings, { inputDim: number }>;

export interface AnomalyScoreOptions {
  /** 'elbo' (default): per-row negative ELBO; 'reconstruction': per-row reconstruction error. */
  method?: 'elbo' | 'reconstruction';
}

export interface SampleOptions {
  /** Draw from a fresh stream with this seed instead of the model's generator. */
  seed?: number;
}

/**
 * Variational autoencoder (Kingma & Welling): q(z|x) = N(mu(x), diag(exp(logvar(x)))), prior
 * N(0, I), decoder p(x|z). Training minimises the mean over rows of the negative ELBO
 *
 *   −ELBO(x) = reconstruction(x, decoder(z)) + β·KL(q(z|x) ‖ N(0, I)),  z = mu + exp(½·logvar)·ε,
 *
 * with one ε ~ N(0, I) per row and step from the model's Generator (seeded by `seed`), the KL
 * in closed form (`klNormal`). `fit(x)` returns the history: `loss` is −ELBO per epoch (and
 * `elbo`, `reconstruction`, `kl` its parts). In evaluation (`reconstruct`, `anomalyScore`,
 * `predict`) z = mu, so results are deterministic.
 */
export class VAE extends Estimator {
  private readonly settings: VAESettings;
  private readonly generator: Generator;
  private encoder: Sequential | null = null;
  private muHead: Linear | null = null;
  private logvarHead: Linear | null = null;
  private decoder: Sequential | null = null;
  private dim: number | null = null;
  // Running sums of the two terms over an epoch's training batches (rows-weighted).
  private readonly terms = { rows: 0, reconstruction: 0, kl: 0 };

  constructor(options?: VAEOptions) {
    super();
    const o = readOptions('VAE', options, OPTIONS);
    this.settings = {
      ...resolveTraining(o, { learningRate: 1e-3, maxIter: 50, batchSize: 64 }),
      inputDim: o.inputDim ?? null,
      hiddenSizes: o.hiddenSizes ?? [32],
      latentDim: o.latentDim ?? 2,
      beta: o.beta ?? 1,
      reconstruction: o.reconstruction ?? 'mse',
      activation: o.activation ?? 'relu',
    };
    this.generator = new Generator(this.settings.seed);
  }

  get isFitted(): boolean {
    return this.encoder !== null;
  }

  /** score(x) is the mean ELBO of the rows (at z = mu), a lower bound of their log-likelihood. */
  protected get estimatorType(): EstimatorType {
    return 'density';
  }

  protected predictFor(method: string, x: ArrayInput): Tensor {
    return this.anomalyScoreFor(method, x, 'elbo');
  }

  protected get modelName(): string {
    return 'VAE';
  }

  /** Features per row. */
  get inputDim(): number {
    this.requireFitted('inputDim');
    return this.dim as number;
  }

  get latentDim(): number {
    return this.settings.latentDim;
  }

  private build(inputDim: number): void {
    const s = this.settings;
    const g = this.generator.manualSeed(s.seed);
    const act = (): Module => (s.activation === 'relu' ? new ReLU() : new Tanh());
    const widest = s.hiddenSizes.at(-1) ?? inputDim;
    const parts = this.buildLayers((made) => {
      const mlp = (sizes: number[], last: boolean): Sequential => {
        const layers: Module[] = [];
        for (let i = 0; i + 1 < sizes.length; i++) {
          layers.push(made(new Linear(sizes[i] as number, sizes[i + 1] as number, { generator: g })));
          if (!last || i + 2 < sizes.length) layers.push(act());
        }
        return new Sequential(...layers);
      };
      return {
        encoder: mlp([inputDim, ...s.hiddenSizes], false),
        mu: made(new Linear(widest, s.latentDim, { generator: g })),
        logvar: made(new Linear(widest, s.latentDim, { generator: g })),
        decoder: mlp([s.latentDim, ...[...s.hiddenSizes].reverse(), inputDim], true),
      };
    });
    this.encoder = this.replaceChild('encoder', parts.encoder, this.encoder);
    this.muHead = this.replaceChild('mu', parts.mu, this.muHead);
    this.logvarHead = this.replaceChild('logvar', parts.logvar, this.logvarHead);
    this.decoder = this.replaceChild('decoder', parts.decoder, this.decoder);
    this.dim = inputDim;
  }

  private readX(method: string, x: ArrayInput): Tensor {
    const d = this.dim ?? this.settings.inputDim ?? undefined;
    return readInput(`VAE.${method}`, x, { names: ['samples', 'features'], sizes: [undefined, d] });
  }

  private encodeTensor(x: Tensor): { mu: Tensor; logvar: Tensor } {
    const h = (this.encoder as Sequential).forward(x);
    return { mu: (this.muHead as Linear).forward(h), logvar: (this.logvarHead as Linear).forward(h) };
  }

  /**
   * One pass for fit(): [n, inputDim + 2·latentDim] = decoder output (logits for 'bce') | mu |
   * logvar. z is sampled in training mode and mu in evaluation mode.
   */
  forward(x: Tensor): Tensor {
    this.requireFitted('forward');
    const xt = this.readX('forward', x);
    const { mu, logvar } = this.encodeTensor(xt);
    const z = this.training ? mu.add(exp(logvar.mul(0.5)).mul(randn(mu.shape, { generator: this.generator }))) : mu;
    return concat([(this.decoder as Sequential).forward(z), mu, logvar], 1);
  }

  // Splits forward()'s packed output.
  private unpack(out: Tensor): { recon: Tensor; mu: Tensor; logvar: Tensor } {
    const d = this.dim as number;
    const l = this.settings.latentDim;
    return { recon: slice(out, 1, 0, d), mu: slice(out, 1, d, d + l), logvar: slice(out, 1, d + l, d + 2 * l) };
  }

  /** Mean over rows of the reconstruction term (summed over features). */
  private reconstructionMean(recon: Tensor, x: Tensor): Tensor {
    const d = this.dim as number;
    return (this.settings.reconstruction === 'bce' ? bceWithLogits(recon, x) : mseLoss(recon, x)).mul(d);
  }

  /** Per-row reconstruction term [n]. */
  private reconstructionRows(recon: Tensor, x: Tensor): Tensor {
    const per = this.settings.reconstruction === 'bce' ? bceWithLogits(recon, x, { reduction: 'none' }) : square(recon.sub(x));
    return sum(per, 1);
  }

  /** The training objective: mean −ELBO of the batch. */
  private loss(out: Tensor, x: Tensor): Tensor {
    const { recon, mu, logvar } = this.unpack(out);
    const rec = this.reconstructionMean(recon, x);
    const kl = klNormal(mu, logvar);
    if (isGradEnabled()) {
      const rows = x.shape[0] as number;
      this.terms.rows += rows;
      this.terms.reconstruction += rec.item() * rows;
      this.terms.kl += kl.item() * rows;
    }
    return rec.add(kl.mul(this.settings.beta));
  }

  /**
   * Trains from fresh (seeded) weights on rows x [n, inputDim]. Keeps the history in `history`: `loss`
   * (= −ELBO, mean over rows), `elbo`, and its `reconstruction` and `kl` parts per epoch.
   */
  fit(x: ArrayInput, options?: FitCallOptions): this {
    const where = 'VAE.fit';
    this.trainOn(where, x, { names: ['samples', 'features'], sizes: [undefined, this.settings.inputDim ?? undefined] }, options, (xt) => {
      if (this.settings.reconstruction === 'bce') {
        const v = xt.data;
        for (let i = 0; i < v.length; i++) {
          if ((v[i] as number) < 0 || (v[i] as number) > 1) {
            throw new ValueError(`${where}: reconstruction 'bce' needs values in [0, 1], got ${v[i]} in row ${Math.floor(i / (xt.shape[1] as number))}; scale the data or use 'mse'`);
          }
        }
      }
      this.build(xt.shape[1] as number);
      const terms: Callback = {
        onEpochBegin: () => Object.assign(this.terms, { rows: 0, reconstruction: 0, kl: 0 }),
        onEpochEnd: (_epoch, logs) => {
          logs.elbo = -(logs.loss as number);
          logs.reconstruction = this.terms.reconstruction / Math.max(1, this.terms.rows);
          logs.kl = this.terms.kl / Math.max(1, this.terms.rows);
        },
      };
      return { y: xt, loss: (out, target) => this.loss(out, target), training: this.settings, split: 'random', stopOnPlateau: false, callbacks: [terms] };
    });
    const history = this.history as History;
    for (const key of ['elbo', 'reconstruction', 'kl']) history.history[key] = history.epochs.map((logs) => logs[key] as number);
    return this;
  }


  /** The posterior parameters of each row: mu and logvar, both [n, latentDim]. */
  encode(x: ArrayInput): { mu: Tensor; logvar: Tensor } {
    this.requireFitted('encode');
    return tidy(() => {
      const { mu, logvar } = this.unpack(predictLoop(this, this.readX('encode', x)));
      return { mu, logvar };
    });
  }

  /** Decoder means for latent codes z [n, latentDim] (probabilities for 'bce'). */
  decode(z: ArrayInput): Tensor {
    this.requireFitted('decode');
    return tidy(() => {
      const zt = readInput('VAE.decode', z, { names: ['samples', 'latent'], sizes: [undefined, this.settings.latentDim] });
      const out = predictLoop(this.decoder as Sequential, zt);
      return this.settings.reconstruction === 'bce' ? sigmoid(out) : out;
    });
  }

  /** Reconstructions [n, inputDim]: the decoder's mean at z = mu(x). */
  reconstruct(x: ArrayInput): Tensor {
    this.requireFitted('reconstruct');
    return tidy(() => {
      const { recon } = this.unpack(predictLoop(this, this.readX('reconstruct', x)));
      return this.settings.reconstruction === 'bce' ? sigmoid(recon) : recon;
    });
  }

  /** `n` new rows [n, inputDim]: decoder means at z ~ N(0, I) (from the model's generator, or `seed`). */
  sample(n: number, options?: SampleOptions): Tensor {
    this.requireFitted('sample');
    const where = 'VAE.sample';
    const o = readArgs(where, [n, options], ['n'], SAMPLE_OPTIONS);
    const count = SAMPLE_OPTIONS.n(o.n, `${where}: n`);
    return tidy(() => {
      const generator = o.seed === undefined ? this.generator : new Generator(o.seed);
      return this.decode(randn([count, this.settings.latentDim], { generator }));
    });
  }

  /**
   * Per-row anomaly scores [n], higher = more anomalous: 'elbo' is the negative ELBO
   * (reconstruction + β·KL) at z = mu, 'reconstruction' the reconstruction term alone.
   */
  anomalyScore(x: ArrayInput, options?: AnomalyScoreOptions): Tensor {
    this.requireFitted('anomalyScore');
    return this.anomalyScoreFor('anomalyScore', x, readOptions('VAE.anomalyScore', options, SCORE_OPTIONS).method ?? 'elbo');
  }

  private anomalyScoreFor(where: string, x: ArrayInput, method: 'elbo' | 'reconstruction'): Tensor {
    this.requireFitted(where);
    return tidy(() => {
      const xt = this.readX(where, x);
      const { recon, mu, logvar } = this.unpack(predictLoop(this, xt));
      const rec = this.reconstructionRows(recon, xt);
      if (method === 'reconstruction') return rec;
      // KL per row: −½·Σ_j (1 + logvar − mu² − exp(logvar))
      const kl = sum(logvar.add(1).sub(square(mu)).sub(exp(logvar)), 1).mul(-0.5);
      return rec.add(kl.mul(this.settings.beta));
    });
  }

  config(): VAEConfig {
    const s = this.settings;
    return { kind: 'VAE', options: { ...s, hiddenSizes: [...s.hiddenSizes] }, fitted: this.dim === null ? null : { inputDim: this.dim } };
  }

  /** Rebuilds a model (layers included when it was fitted) from `config()`; weights are fresh. */
  static fromConfig(c: VAEConfig): VAE {
    const { options, fitted } = readConfig<VAESettings>('VAE.fromConfig', c, 'VAE');
    const m = new VAE(options);
    if (fitted !== null) m.build((fitted as { inputDim: number }).inputDim);
    return m;
  }
}

