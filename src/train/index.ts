export { fitStream, type FitStreamOptions } from './fit-stream.js';
export { fit, evaluate, predict, NonFiniteError, type FitOptions, type Callback, type EarlyStopping, type Dataset, type History, type Logs } from './fit.js';
export { resolveLoss, lossTakesLogits, type LossFn, type LossName } from './losses.js';
export { computeMetrics, type MetricSpec } from './metrics.js';
export type { CompileOptions, KerasFitOptions, OptimizerName } from './keras.js';
