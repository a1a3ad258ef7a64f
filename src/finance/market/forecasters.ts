// Neural forecasters (fingrad's RecurrentForecaster, CNN1dForecaster or any model that maps
// windows to the next value) as one-step forecasters for walkForward: the series is
// standardized by the training window's mean and deviation (returns are ~1e-2, too small a
// scale for default learning rates and tolerances), cut into windows, and predictions scaled back.
import { ArgumentError, type Tensor, ValueError, makeWindows, tidy } from '../../index.js';
import { describe, is, readOptions } from '../../validate.js';
import type { OneStepForecaster } from './walk-forward.js';

/** A model that learns the next value from a window: fit(x, y), predict(x) → [windows, 1]. */
export interface WindowModel {
  fit(x: Tensor, y: Tensor): unknown;
  predict(x: Tensor): Tensor;
  dispose?(): void;
}

/** `make()` trained on windows of `window` values, as a one-step forecaster. */
export function windowForecaster(make: () => WindowModel, options: { window: number; channelsFirst?: boolean }): OneStepForecaster {
  const where = 'windowForecaster';
  const o = readOptions(where, options, { window: is.int({ min: 1 }), channelsFirst: is.boolean });
  if (o.window === undefined) throw new ArgumentError(`${where}: options.window (the window length) is required`, where, 'window');
  if (typeof make !== 'function') throw new ArgumentError(`${where}: make must be a function returning a fresh model, got ${describe(make)}`, where, 'make');
  const window = o.window;
  const layout = { channelsFirst: o.channelsFirst ?? false };
  let model: WindowModel | null = null;
  let mean = 0;
  let scale = 1;
  return {
    fit(train: Float64Array) {
      if (train.length <= window) throw new ValueError(`${where}: a training window of ${train.length} values holds no window of ${window} plus a target`);
      mean = train.reduce((a, v) => a + v, 0) / train.length;
      scale = Math.sqrt(train.reduce((a, v) => a + (v - mean) ** 2, 0) / train.length) || 1;
      const z = train.map((v) => (v - mean) / scale);
      model?.dispose?.();
      model = make();
      const fitted = model;
      tidy(() => {
        const { x, y } = makeWindows(z, window, 1, layout);
        fitted.fit(x, y);
      });
      return this;
    },
    predictOneStep(series: Float64Array) {
      if (model === null) throw new ValueError(`${where}: call fit() first`);
      const fitted = model;
      const z = series.map((v) => (v - mean) / scale);
      return tidy(() => {
        const { x } = makeWindows(z, window, 1, layout);
        return Float64Array.from(fitted.predict(x).toFloat32Array(), (v) => v * scale + mean);
      });
    },
    dispose() {
      model?.dispose?.();
      model = null;
    },
  };
}
