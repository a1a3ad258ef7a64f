// The ready-made models as ONNX graphs: what their predict / predictProba / anomalyScore
// compute, from the same weights, with the same probability rules (models/estimator.ts
// `probabilities`, LogisticRegression and LinearSVM `predictProba`, VAE `anomalyScore`).
import { NotFittedError } from '../errors.js';
import { Linear } from '../nn/linear.js';
import type { Module } from '../nn/module.js';
import { GRU, LSTM, RNN } from '../nn/recurrent.js';
import { Sequential } from '../nn/sequential.js';
import { CNN1dForecaster, CNN2dClassifier } from '../models/cnn.js';
import { MLPClassifier, MLPRegressor } from '../models/mlp.js';
import { RecurrentForecaster } from '../models/recurrent-forecaster.js';
import { VAE } from '../models/vae.js';
import { LinearRegression } from '../models/linear-regression.js';
import { LogisticRegression } from '../models/logistic-regression.js';
import { LinearSVM } from '../models/linear-svm.js';
import { LinearModel } from '../models/solvers/linear-model.js';
import { Estimator } from '../models/estimator.js';
import type { Tensor } from '../tensor/tensor.js';
import type { GraphBuilder } from './graph.js';
import { type Value, assertExportable, emitModule } from './layers.js';
import { emitRecurrent } from './recurrent.js';

/** How a model's graph looks from outside, and how to build its inside. */
export interface ModelPlan {
  /** The model kind (its config's `kind`), for the metadata. */
  kind: string;
  inputName: string;
  /** Input shape without the batch dimension (strings are dynamic sizes). */
  inputShape: ReadonlyArray<number | string>;
  /** The dimension of inputShape that `features` names (the channels of a series), or null (images). */
  featureAxis: number | null;
  /** Extra metadata (class labels). */
  metadata: Record<string, string>;
  /** Emits the graph on the input; returns the outputs by name (shape null: not known). */
  build(g: GraphBuilder, x: Value): Array<{ name: string; value: string; shape: ReadonlyArray<number | string> | null }>;
}

function child(m: Module, name: string): Module {
  const found = m.namedChildren().find(([n]) => n === name);
  if (found === undefined) throw new NotFittedError(`exportOnnx: the model has no '${name}' layers; is it fitted?`);
  return found[1];
}

/** [N, k] class probabilities from logits [N, 1] (sigmoid, two classes) or [N, k] (softmax). */
function classProbabilities(g: GraphBuilder, logits: string, classes: number): string {
  if (classes !== 2) return g.node('Softmax', [logits], { axis: 1 });
  const p = g.node('Sigmoid', [logits]);
  return g.node('Concat', [g.node('Sub', [g.scalar(1), p]), p], { axis: 1 });
}

function gemm(g: GraphBuilder, x: string, weight: Tensor, bias: Tensor | null, hint: string): string {
  const inputs = [x, g.weight(`${hint}_weight`, weight)];
  if (bias !== null) inputs.push(g.weight(`${hint}_bias`, bias));
  return g.node('Gemm', inputs, { transB: 1 }, hint);
}

// p / Σ_c p_c along the classes (one-vs-rest normalisation).
function normalise(g: GraphBuilder, p: string): string {
  return g.node('Div', [p, g.node('ReduceSum', [p, g.ints('axes', [1])], { keepdims: 1 })]);
}

function linearModelPlan(m: LinearModel): ModelPlan {
  const d = m.nFeatures;
  const k = (m.weight as Tensor).shape[0] as number;
  const base = { inputName: 'features', inputShape: [d], featureAxis: 0 };
  const scores = (g: GraphBuilder, x: Value): string => gemm(g, x.name, m.weight as Tensor, m.bias, 'scores');
  if (m instanceof LinearRegression) {
    const flat = m.config().fitted?.flatTargets === true;
    return {
      ...base,
      kind: 'LinearRegression',
      metadata: {},
      build: (g, x) => {
        const s = scores(g, x);
        return [{ name: 'predictions', value: flat ? g.node('Reshape', [s, g.ints('shape', [-1])]) : s, shape: flat ? ['N'] : ['N', k] }];
      },
    };
  }
  if (m instanceof LogisticRegression || m instanceof LinearSVM) {
    const classes = m.classes;
    const kind = m instanceof LogisticRegression ? 'LogisticRegression' : 'LinearSVM';
    return {
      ...base,
      kind,
      metadata: { classes: JSON.stringify(classes) },
      build: (g, x) => {
        const s = scores(g, x);
        let proba: string;
        if (m instanceof LinearSVM) {
          // Platt: P = σ(−(A·f + B)) per binary problem.
          const af = g.node('Add', [g.node('Mul', [s, g.weight('platt_A', m.probA, [k])]), g.weight('platt_B', m.probB, [k])]);
          const p = g.node('Sigmoid', [g.node('Neg', [af])]);
          proba = k === 1 ? g.node('Concat', [g.node('Sub', [g.scalar(1), p]), p], { axis: 1 }) : normalise(g, p);
        } else if (m.scheme === 'multinomial') {
          proba = g.node('Softmax', [k === 1 ? g.node('Concat', [g.node('Neg', [s]), s], { axis: 1 }) : s], { axis: 1 });
        } else {
          const p = g.node('Sigmoid', [s]);
          proba = m.scheme === 'binary' ? g.node('Concat', [g.node('Sub', [g.scalar(1), p]), p], { axis: 1 }) : normalise(g, p);
        }
        return [{ name: 'probabilities', value: proba, shape: ['N', classes.length] }];
      },
    };
  }
  return { ...base, kind: m.config().kind, metadata: {}, build: (g, x) => [{ name: 'scores', value: scores(g, x), shape: ['N', k] }] };
}

function mlpPlan(m: MLPClassifier | MLPRegressor): ModelPlan {
  const net = child(m, 'net');
  assertExportable(m.config().kind, [net]);
  const base = { inputName: 'features', inputShape: [m.nFeatures], featureAxis: 0 };
  if (m instanceof MLPClassifier) {
    const classes = m.classes;
    return {
      ...base,
      kind: 'MLPClassifier',
      metadata: { classes: JSON.stringify(classes) },
      build: (g, x) => [{ name: 'probabilities', value: classProbabilities(g, emitModule(g, net, x).name, classes.length), shape: ['N', classes.length] }],
    };
  }
  const fitted = m.config().fitted;
  const flat = fitted?.flatTarget === true;
  return {
    ...base,
    kind: 'MLPRegressor',
    metadata: {},
    build: (g, x) => {
      const y = emitModule(g, net, x);
      const outputs = y.sample?.shape[1] ?? 'outputs';
      return [{ name: 'predictions', value: flat ? g.node('Reshape', [y.name, g.ints('shape', [-1])]) : y.name, shape: flat ? ['N'] : ['N', outputs] }];
    },
  };
}

function cnnPlan(m: CNN1dForecaster | CNN2dClassifier): ModelPlan {
  const features = child(m, 'features');
  const head = child(m, 'head');
  assertExportable(m.config().kind, [features, head]);
  const run = (g: GraphBuilder, x: Value): string => emitModule(g, head, emitModule(g, features, x)).name;
  if (m instanceof CNN2dClassifier) {
    const f = m.config().fitted as NonNullable<ReturnType<CNN2dClassifier['config']>['fitted']>;
    return {
      kind: 'CNN2dClassifier',
      inputName: 'images',
      inputShape: [f.channels, f.height, f.width],
      featureAxis: null,
      metadata: { classes: JSON.stringify(f.classes) },
      build: (g, x) => [{ name: 'probabilities', value: classProbabilities(g, run(g, x), f.classes.length), shape: ['N', f.classes.length] }],
    };
  }
  const f = m.config().fitted as NonNullable<ReturnType<CNN1dForecaster['config']>['fitted']>;
  return {
    kind: 'CNN1dForecaster',
    inputName: 'windows',
    inputShape: [f.channels, f.window],
    featureAxis: 0,
    metadata: {},
    build: (g, x) => {
      const y = run(g, x);
      return [{ name: 'predictions', value: f.flatTarget ? g.node('Reshape', [y, g.ints('shape', [-1])]) : y, shape: f.flatTarget ? ['N'] : ['N', f.horizon] }];
    },
  };
}

function forecasterPlan(m: RecurrentForecaster): ModelPlan {
  const f = m.config().fitted as NonNullable<ReturnType<RecurrentForecaster['config']>['fitted']>;
  const rnn = child(m, 'rnn') as LSTM | GRU | RNN;
  const head = child(m, 'head') as Linear;
  return {
    kind: 'RecurrentForecaster',
    inputName: 'windows',
    inputShape: ['T', f.nFeatures],
    featureAxis: 1,
    metadata: {},
    build: (g, x) => {
      const y = gemm(g, emitRecurrent(g, rnn, x.name, 'lastHidden'), head.weight, head.bias, 'head');
      return [{ name: 'predictions', value: f.flatTarget ? g.node('Reshape', [y, g.ints('shape', [-1])]) : y, shape: f.flatTarget ? ['N'] : ['N', f.horizon] }];
    },
  };
}

// VAE at z = mu, as anomalyScore: reconstruction term Σ_d (x̂ − x)² ('mse') or Σ_d BCE(logit, x)
// ('bce', written stably as max(l, 0) − l·x + log(1 + e^−|l|)), and the negative ELBO adds
// β·KL with KL = −½·Σ_j (1 + logvar − mu² − e^logvar).
function vaePlan(m: VAE): ModelPlan {
  const c = m.config().options;
  const [encoder, mu, logvar, decoder] = ['encoder', 'mu', 'logvar', 'decoder'].map((n) => child(m, n)) as [Sequential, Linear, Linear, Sequential];
  assertExportable('VAE', [encoder, decoder]);
  return {
    kind: 'VAE',
    inputName: 'features',
    inputShape: [m.inputDim],
    featureAxis: 0,
    metadata: { reconstruction: c.reconstruction, beta: String(c.beta) },
    build: (g, x) => {
      const h = emitModule(g, encoder, x);
      const muV = gemm(g, h.name, mu.weight, mu.bias, 'mu');
      const logvarV = gemm(g, h.name, logvar.weight, logvar.bias, 'logvar');
      const out = emitModule(g, decoder, { name: muV, sample: h.sample === null ? null : mu.forward(h.sample) }).name;
      const sumRows = (v: string): string => g.node('ReduceSum', [v, g.ints('axes', [1])], { keepdims: 0 });
      let recon: string;
      let rec: string;
      if (c.reconstruction === 'bce') {
        recon = g.node('Sigmoid', [out]);
        const softplusNegAbs = g.node('Log', [g.node('Add', [g.scalar(1), g.node('Exp', [g.node('Neg', [g.node('Abs', [out])])])])]);
        rec = sumRows(g.node('Add', [g.node('Sub', [g.node('Relu', [out]), g.node('Mul', [out, x.name])]), softplusNegAbs]));
      } else {
        recon = out;
        const diff = g.node('Sub', [out, x.name]);
        rec = sumRows(g.node('Mul', [diff, diff]));
      }
      const terms = g.node('Sub', [g.node('Sub', [g.node('Add', [logvarV, g.scalar(1)]), g.node('Mul', [muV, muV])]), g.node('Exp', [logvarV])]);
      const kl = g.node('Mul', [sumRows(terms), g.scalar(-0.5)]);
      const elbo = g.node('Add', [rec, g.node('Mul', [kl, g.scalar(c.beta)])]);
      const d = m.inputDim;
      return [
        { name: 'anomaly_score', value: elbo, shape: ['N'] },
        { name: 'reconstruction_error', value: rec, shape: ['N'] },
        { name: 'mu', value: muV, shape: ['N', c.latentDim] },
        { name: 'logvar', value: logvarV, shape: ['N', c.latentDim] },
        { name: 'reconstruction', value: recon, shape: ['N', d] },
      ];
    },
  };
}

/** The plan for a ready-made model, or null when `m` is not one (a plain Module). */
export function modelPlan(m: Module): ModelPlan | null {
  if (m instanceof LinearModel) {
    if (!m.isFitted) throw new NotFittedError(`exportOnnx: the ${m.config().kind} is not fitted yet; call fit() first`);
    return linearModelPlan(m);
  }
  if (!(m instanceof Estimator)) return null;
  const kind = m.config().kind;
  if (!m.isFitted) throw new NotFittedError(`exportOnnx: the ${kind} is not fitted yet; call fit() first`);
  if (m instanceof MLPClassifier || m instanceof MLPRegressor) return mlpPlan(m);
  if (m instanceof CNN1dForecaster || m instanceof CNN2dClassifier) return cnnPlan(m);
  if (m instanceof RecurrentForecaster) return forecasterPlan(m);
  if (m instanceof VAE) return vaePlan(m);
  return null;
}
