// The ready-made models loadModel rebuilds from a checkpoint's `kind`: a table, not a
// registerModel call in each model's module, so that a module declares its class and nothing
// else happens when it loads. A bundler then drops every model a page does not use (esbuild:
// a page of tensors, autograd, nn and optim shrank from 225 KB to 149 KB minified, ~76 KB of
// models, training loops and metrics). Models of other packages still use registerModel.
import type { ModelConfig, ModelFactory } from '../io/checkpoint.js';
import type { Module } from '../nn/module.js';
import { CNN1dForecaster, CNN2dClassifier } from './cnn.js';
import { LinearRegression } from './linear-regression.js';
import { LinearSVM } from './linear-svm.js';
import { LogisticRegression } from './logistic-regression.js';
import { MLPClassifier, MLPRegressor } from './mlp.js';
import { RecurrentForecaster } from './recurrent-forecaster.js';
import { VAE } from './vae.js';

/** Each kind is its class's name; the class rebuilds a model from its own config. */
const BUILT_IN: Readonly<Record<string, { fromConfig(config: never): Module }>> = {
  CNN1dForecaster, CNN2dClassifier, LinearRegression, LinearSVM, LogisticRegression, MLPClassifier, MLPRegressor, RecurrentForecaster, VAE,
};

/** The factory of a ready-made model kind, or undefined. */
export function builtInModel(kind: string): ModelFactory | undefined {
  if (!Object.hasOwn(BUILT_IN, kind)) return undefined;
  const model = BUILT_IN[kind] as { fromConfig(config: ModelConfig): Module };
  return (config) => model.fromConfig(config);
}

/** The ready-made model kinds. */
export function builtInModelKinds(): string[] {
  return Object.keys(BUILT_IN);
}
