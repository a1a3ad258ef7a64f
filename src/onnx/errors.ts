// The errors exportOnnx throws (FingradErrors, so callers can catch fingrad's errors as one).
import { FingradError } from '../errors.js';

/** A model, layer or option that cannot be written as ONNX (named in the message). */
export class OnnxExportError extends FingradError {}

/** Layers ONNX export has no translation for; `layers` lists each kind once, in model order. */
export class UnsupportedLayerError extends OnnxExportError {
  constructor(
    message: string,
    readonly layers: readonly string[],
  ) {
    super(message);
  }
}
