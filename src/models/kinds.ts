// The ready-made models loadModel rebuilds from a checkpoint's `kind`: a table, not a
// registerModel call in each model's module, so that a module declares its class and nothing
// else happens when it loads. A bundler then drops every model a page does not use (esbuild:
// a page of tensors, autograd, nn and optim shrank from 225 KB to 149 KB minified, ~76 KB of
// models, training loops and metrics). Models of other packages still use registerModel.
import type { ModelConfig, ModelFactory } from '../io/checkpoint.js';
import { CNN1dForecaster, type CNN1dForecasterConfig, CNN2dClassifier, type CNN2dClassifierConfig } from './cnn.js';
import { LinearRegression, type LinearRegressionConfig } from './linear-regression.js';
import { LinearSVM, type LinearSVMConfig } from './linear-svm.js';
import { LogisticRegression, type LogisticRegressionConfig } from './logistic-regression.js';
import { MLPClassifier, type MLPClassifierConfig, MLPRegressor, type MLPRegressorConfig } from './mlp.js';
import { RecurrentForecaster, type RecurrentForecasterConfig } from './recurrent-forecaster.js';
import { VAE, type VAEConfig } from './vae.js';

const BUILT_IN: Readonly<Record<string, ModelFactory>> = {
  CNN1dForecaster: (c: ModelConfig) => CNN1dForecaster.fromConfig(c as CNN1dForecasterConfig),
  CNN2dClassifier: (c: ModelConfig) => CNN2dClassifier.fromConfig(c as CNN2dClassifierConfig),
  LinearRegression: (c: ModelConfig) => LinearRegression.fromConfig(c as LinearRegressionConfig),
  LinearSVM: (c: ModelConfig) => LinearSVM.fromConfig(c as LinearSVMConfig),
  LogisticRegression: (c: ModelConfig) => LogisticRegression.fromConfig(c as LogisticRegressionConfig),
  MLPClassifier: (c: ModelConfig) => MLPClassifier.fromConfig(c as MLPClassifierConfig),
  MLPRegressor: (c: ModelConfig) => MLPRegressor.fromConfig(c as MLPRegressorConfig),
  RecurrentForecaster: (c: ModelConfig) => RecurrentForecaster.fromConfig(c as RecurrentForecasterConfig),
  VAE: (c: ModelConfig) => VAE.fromConfig(c as VAEConfig),
};

/** The factory of a ready-made model kind, or undefined. */
export function builtInModel(kind: string): ModelFactory | undefined {
  return Object.hasOwn(BUILT_IN, kind) ? BUILT_IN[kind] : undefined;
}

/** The ready-made model kinds. */
export function builtInModelKinds(): string[] {
  return Object.keys(BUILT_IN);
}
