// fingrad/onnx: ONNX export, an entry point of its own (protobufjs stays out of the core).
//
//   import { exportOnnx } from 'fingrad/onnx';
//   const bytes = exportOnnx(model, { features: ['income', 'age', …] });   // a fitted model
//   const bytes = exportOnnx(net, { inputShape: [3, 32, 32] });             // an nn.Sequential
//   const bytes = exportOnnx(pipeline);   // a fitted finance Pipeline: one input per raw column
//   // → onnxruntime: InferenceSession.create(bytes), inputs 'features' / 'input' [N, …]
export { exportOnnx, ONNX_OPSETS, type OnnxExportOptions } from './export.js';
export { FINGRAD_VERSION } from './graph.js';
export { OnnxExportError, UnsupportedLayerError } from './errors.js';
