// exportOnnx: a fingrad layer stack or ready-made model → ONNX ModelProto bytes, evaluation-mode
// semantics (dropout off, running statistics), a dynamic batch dimension 'N', float32
// initializers in raw_data, and the feature names and fingrad version in the metadata.
import { noGrad } from '../autograd/graph.js';
import { ArgumentError, ShapeError } from '../errors.js';
import { Module } from '../nn/module.js';
import { zeros } from '../tensor/creation.js';
import { tidy } from '../tensor/scope.js';
import { type Checked, is, readOptions } from '../validate.js';
import { OnnxExportError } from './errors.js';
import { GraphBuilder } from './graph.js';
import { exportPipeline } from './pipeline.js';
import { Pipeline } from '../finance/pipeline.js';
import { type Value, assertExportable, emitModule, inEvalMode, kindOf } from './layers.js';
import { type ModelPlan, modelPlan } from './models.js';

/** Opsets written: 13 (Squeeze/ReduceSum take axes as inputs) to 21; LayerNorm needs 17. */
export const ONNX_OPSETS = { min: 13, max: 21, default: 17 } as const;

export interface OnnxExportOptions {
  /**
   * Input shape without the batch dimension, e.g. [3, 32, 32] or ['T', 5] (strings name
   * dynamic sizes). Required for a layer stack; ready-made models know theirs.
   */
  inputShape?: ReadonlyArray<number | string>;
  /**
   * Names of the input features, written to the metadata: the last input dimension of a layer
   * stack, tabular model or RecurrentForecaster; the channels of a CNN1dForecaster.
   */
  features?: readonly string[];
  /** ONNX opset version. Default 17. */
  opset?: number;
  /** Graph input name. Default 'input' (layer stacks), or the model's ('features', 'windows', 'images'). */
  inputName?: string;
  /** Graph output name. Default 'output' (layer stacks), or the model's ('probabilities', 'predictions'); not for the VAE's five outputs. */
  outputName?: string;
  /** Written as the model's doc_string. */
  docString?: string;
}

const dim = is.anyOf<number | string>('a positive integer or a dimension name', is.int({ min: 1 }), is.string);
const SPEC = {
  inputShape: is.list(dim),
  features: is.list(is.string, { minLength: 1 }),
  opset: is.int({ min: ONNX_OPSETS.min, max: ONNX_OPSETS.max }),
  inputName: is.string,
  outputName: is.string,
  docString: is.string,
};

function stackPlan(m: Module, o: Checked<typeof SPEC>): ModelPlan {
  assertExportable(kindOf(m), [m]);
  const inputShape = o.inputShape ?? (o.features ? [o.features.length] : undefined);
  if (inputShape === undefined) {
    throw new ArgumentError(`exportOnnx: a ${kindOf(m)} needs options.inputShape (the input without the batch dimension, e.g. [20] or [3, 32, 32]) or options.features`, 'exportOnnx', 'inputShape');
  }
  return {
    kind: kindOf(m),
    inputName: 'input',
    inputShape,
    featureAxis: inputShape.length - 1,
    metadata: {},
    build: (g, x) => {
      const y = emitModule(g, m, x);
      // The traced batch of one stays 1 unless a Flatten merged the batch into another dimension.
      const rows = y.sample?.shape[0] === 1 ? 'N' : 'rows';
      return [{ name: 'output', value: y.name, shape: y.sample === null ? null : [rows, ...y.sample.shape.slice(1)] }];
    },
  };
}

/**
 * The ONNX model (ModelProto bytes) computing what `model` computes in evaluation mode, for
 * onnxruntime and other ONNX runtimes:
 *
 * - a layer stack (`nn.Sequential` or one layer) of Linear, Conv1d/2d, Max/AvgPool1d/2d,
 *   BatchNorm1d/2d, LayerNorm, Dropout (dropped), the activations, Flatten, LSTM/GRU/RNN:
 *   input 'input' [N, ...inputShape] → 'output';
 * - LogisticRegression / LinearSVM / MLPClassifier / CNN2dClassifier: → 'probabilities'
 *   [N, classes] as `predictProba`; LinearRegression / MLPRegressor / CNN1dForecaster /
 *   RecurrentForecaster: → 'predictions' as `predict`; VAE: → 'anomaly_score' (negative ELBO
 *   at z = mu), 'reconstruction_error', 'mu', 'logvar', 'reconstruction'.
 *
 * - a fitted finance Pipeline (SimpleImputer, StandardScaler, MinMaxScaler, OneHotEncoder,
 *   OrdinalEncoder, WoEEncoder, ColumnTransformer, then one of the models above): one input per
 *   column it was fitted on, named after the column, [N, 1] float32 (numeric, NaN = missing) or
 *   string (categorical, '' = missing) → 'probabilities' [N, classes] as `predictProba` and
 *   'label' [N] as `predict` (or the model's outputs for a regressor). Columns no step reads
 *   (dropped) are no inputs. Metadata adds 'feature_types', 'unused_columns' and the pipeline's
 *   own 'classes' labels. An unknown category under
 *   handleUnknown 'error' (where fingrad throws) gives NaN probabilities.
 *
 * The batch dimension is dynamic ('N'). Metadata: 'fingrad.version', 'fingrad.model',
 * 'feature_names' (JSON) when `features` is given, 'classes' (JSON) for classifiers. Layers
 * without a translation throw UnsupportedLayerError listing all of them.
 */
export function exportOnnx(model: Module | Pipeline, options: OnnxExportOptions = {}): Uint8Array {
  const o = readOptions('exportOnnx', options, SPEC);
  const opset = o.opset ?? ONNX_OPSETS.default;
  if (model instanceof Pipeline) {
    for (const key of ['inputShape', 'inputName'] as const) {
      if (o[key] !== undefined) throw new ArgumentError(`exportOnnx: a Pipeline takes one input per column it was fitted on; ${key} does not apply`, 'exportOnnx', key);
    }
    return exportPipeline(model, { ...o, opset });
  }
  if (!(model instanceof Module)) throw new ArgumentError(`exportOnnx: model must be a fingrad Module (a layer, nn.Sequential or a ready-made model) or a fitted Pipeline, got ${typeof model}`, 'exportOnnx', 'model');
  const plan = modelPlan(model) ?? stackPlan(model, o);
  const inputShape = o.inputShape ?? plan.inputShape;
  // A ready-made model's sizes are fixed by its weights; only its dynamic ones ('T') may be set.
  const clash = plan.inputShape.findIndex((d, i) => typeof d === 'number' && inputShape[i] !== d);
  if (inputShape.length !== plan.inputShape.length || clash >= 0) {
    throw new ShapeError(`exportOnnx: the ${plan.kind} takes inputs [N, ${plan.inputShape.join(', ')}], but inputShape is [${inputShape.join(', ')}]`);
  }
  if (o.features !== undefined && (plan.featureAxis === null || inputShape[plan.featureAxis] !== o.features.length)) {
    const takes = plan.featureAxis === null ? 'has no feature dimension' : `takes ${String(inputShape[plan.featureAxis])} features`;
    throw new ShapeError(`exportOnnx: ${o.features.length} feature names given but the ${plan.kind} ${takes} (input [N, ${inputShape.join(', ')}])`);
  }
  // tidy frees the traced samples; the bytes leave through `result` (tidy walks what it returns).
  const result: { bytes?: Uint8Array } = {};
  tidy(() =>
    noGrad(() =>
      inEvalMode(model, () => {
        const g = new GraphBuilder(opset);
        const inputName = g.reserve(o.inputName ?? plan.inputName);
        // A batch of one traces the shapes (and checks inputShape against the layers) when fixed.
        const fixed = inputShape.every((d): d is number => typeof d === 'number');
        const x: Value = { name: inputName, sample: fixed ? zeros([1, ...inputShape]) : null };
        const outputs = plan.build(g, x);
        if (o.outputName !== undefined) {
          if (outputs.length !== 1) {
            throw new ArgumentError(`exportOnnx: outputName names a single output, but the ${plan.kind} has ${outputs.length} (${outputs.map((out) => out.name).join(', ')})`, 'exportOnnx', 'outputName');
          }
          (outputs[0] as { name: string }).name = o.outputName;
        }
        for (const out of outputs) g.output(out.value, out.name);
        const metadata: Record<string, string> = { ...plan.metadata };
        if (o.features !== undefined) metadata['feature_names'] = JSON.stringify(o.features);
        result.bytes = g.encode({
          docString: o.docString ?? '',
          graphName: plan.kind,
          inputs: [{ name: inputName, shape: ['N', ...inputShape] }],
          outputs: outputs.map((out) => ({ name: out.name, shape: out.shape })),
          metadata,
        });
      }),
    ),
  );
  if (result.bytes === undefined) throw new OnnxExportError('exportOnnx: no model was written');
  return result.bytes;
}
