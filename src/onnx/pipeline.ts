// A fitted finance Pipeline as one ONNX graph: raw columns in (one input per column seen in
// fit, named after it), the preprocessing steps (steps.ts), then the model's graph (models.ts)
// on their concatenated output, and class probabilities (plus the predicted label) out.
import { noGrad } from '../autograd/graph.js';
import { ArgumentError, NotFittedError } from '../errors.js';
import type { Pipeline } from '../finance/pipeline.js';
import type { Transformer } from '../finance/transformer.js';
import { Module } from '../nn/module.js';
import { zeros } from '../tensor/creation.js';
import { tidy } from '../tensor/scope.js';
import { OnnxExportError, UnsupportedLayerError } from './errors.js';
import { GraphBuilder } from './graph.js';
import { inEvalMode } from './layers.js';
import { modelPlan } from './models.js';
import { DataType, type ValueInfoMessage } from './proto.js';
import { type Block, type Ctx, type InputKind, assertStepsExportable, emitStep, numericValue, select, unsupportedSteps } from './steps.js';

export interface PipelineExportOptions {
  opset: number;
  features?: readonly string[];
  outputName?: string;
  docString?: string;
}

// The model's predicted class as the pipeline's label (ArgMax of the probabilities, as
// predict), typed as the labels are: strings, integers (int64) or other numbers (float32).
function labelOutput(g: GraphBuilder, probabilities: string, classes: ReadonlyArray<string | number>): ValueInfoMessage & { value: string } {
  const index = g.node('ArgMax', [probabilities], { axis: 1, keepdims: 0 }, 'class_index');
  const keys = { keys_int64s: { ints: classes.map((_, i) => i) } };
  if (classes.every((c) => typeof c === 'string')) {
    return { name: 'label', shape: ['N'], elemType: DataType.STRING, value: g.mlNode('LabelEncoder', [index], { ...keys, values_strings: { strings: classes as string[] } }) };
  }
  if (classes.every((c) => Number.isInteger(c))) {
    return { name: 'label', shape: ['N'], elemType: DataType.INT64, value: g.mlNode('LabelEncoder', [index], { ...keys, values_int64s: { ints: classes as number[] } }) };
  }
  return { name: 'label', shape: ['N'], elemType: DataType.FLOAT, value: g.mlNode('LabelEncoder', [index], { ...keys, values_floats: { floats: classes as number[] } }) };
}

/** See exportOnnx: the graph of a fitted Pipeline. */
export function exportPipeline(p: Pipeline, o: PipelineExportOptions): Uint8Array {
  const columns = p.featureNamesIn;
  if (columns === null) throw new NotFittedError('exportOnnx: the Pipeline is not fitted yet; call fit(x, y) first');
  if (o.features !== undefined && (o.features.length !== columns.length || o.features.some((f, i) => f !== columns[i]))) {
    throw new ArgumentError(`exportOnnx: a Pipeline's inputs are the columns it was fitted on (${columns.join(', ')}); features must be those or left out`, 'exportOnnx', 'features');
  }
  const steps = p.steps;
  const transformers = steps.slice(0, -1) as Array<readonly [string, Transformer]>;
  const [modelName, model] = steps[steps.length - 1] as readonly [string, unknown];
  const plan = model instanceof Module ? modelPlan(model) : null;
  if (plan === null) {
    const kind = (model as { constructor: { name: string } }).constructor.name;
    const bad = [...transformers.flatMap(([name, s]) => unsupportedSteps(s, name)), `${kind} at '${modelName}'`];
    throw new UnsupportedLayerError(`exportOnnx: the Pipeline has steps ONNX export does not support: ${bad.join(', ')}. Models: fingrad's ready-made models (LogisticRegression, MLPClassifier, …)`, bad);
  }
  assertStepsExportable(transformers);
  const result: { bytes?: Uint8Array } = {};
  tidy(() =>
    noGrad(() =>
      inEvalMode(model as Module, () => {
        const g = new GraphBuilder(o.opset);
        const ctx: Ctx = { g, inputs: new Map<string, InputKind>(columns.map((c) => [c, null])) };
        let blocks: Block[] = columns.map((c) => ({ names: [c], value: g.reserve(c), input: c, kind: 'numeric' }));
        for (const [name, step] of transformers) blocks = emitStep(ctx, step, blocks, name);
        const features = p.getFeatureNamesOut();
        const parts = select(ctx, blocks, features, `the ${plan.kind}'s input`).map((b) => numericValue(ctx, b, `the ${plan.kind}'s input`));
        const width = plan.inputShape[0];
        if (plan.inputShape.length !== 1 || width !== features.length) {
          throw new OnnxExportError(`exportOnnx: the preprocessing gives ${features.length} columns but the ${plan.kind} takes inputs [N, ${plan.inputShape.join(', ')}]`);
        }
        const x = parts.length === 1 ? (parts[0] as string) : g.node('Concat', parts, { axis: 1 }, 'features');
        const outputs: Array<ValueInfoMessage & { value: string }> = plan.build(g, { name: x, sample: zeros([1, width]) });
        const proba = outputs.find((out) => out.name === 'probabilities');
        if (p.classes !== null && proba !== undefined) outputs.push(labelOutput(g, proba.value, p.classes));
        if (o.outputName !== undefined) {
          if (proba === undefined && outputs.length !== 1) throw new ArgumentError(`exportOnnx: outputName renames the probabilities or the single output, but the ${plan.kind} has ${outputs.map((out) => out.name).join(', ')}`, 'exportOnnx', 'outputName');
          (proba ?? (outputs[0] as { name: string })).name = o.outputName;
        }
        for (const out of outputs) g.output(out.value, out.name);
        const metadata: Record<string, string> = {
          ...plan.metadata,
          feature_names: JSON.stringify(columns),
          feature_types: JSON.stringify(Object.fromEntries(columns.map((c) => [c, ctx.inputs.get(c) ?? 'unused']))),
          'fingrad.steps': JSON.stringify(transformers.map(([name, s]) => [name, s.kind])),
          'fingrad.estimator': plan.kind,
          missing_values: "numeric: NaN; categorical: '' (the empty string)",
        };
        if (p.classes !== null) metadata['classes'] = JSON.stringify(p.classes);
        // Columns no step reads (dropped) are no graph inputs: nothing to feed, whatever their type.
        const used = columns.filter((c) => ctx.inputs.get(c) !== null);
        if (used.length < columns.length) metadata['unused_columns'] = JSON.stringify(columns.filter((c) => !used.includes(c)));
        result.bytes = g.encode({
          docString: o.docString ?? '',
          graphName: 'Pipeline',
          inputs: used.map((c) => ({ name: c, shape: ['N', 1], elemType: ctx.inputs.get(c) === 'categorical' ? DataType.STRING : DataType.FLOAT })),
          outputs: outputs.map(({ name, shape, elemType }) => ({ name, shape, ...(elemType === undefined ? {} : { elemType }) })),
          metadata,
        });
      }),
    ),
  );
  if (result.bytes === undefined) throw new OnnxExportError('exportOnnx: no model was written');
  return result.bytes;
}
