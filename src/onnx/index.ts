// fingrad/onnx: ONNX export, an entry point of its own (protobufjs stays out of the core).
export { exportOnnx, FINGRAD_VERSION, ONNX_OPSETS, type OnnxExportOptions } from './export.js';
export { OnnxExportError, UnsupportedLayerError } from './errors.js';
