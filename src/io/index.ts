// Saving and loading: safetensors bytes (browser and Node), model checkpoints, Node files.
export {
  SafetensorsError,
  SAFETENSORS_MAX_HEADER_BYTES,
  encodeSafetensors,
  decodeSafetensors,
  type SafetensorsDtype,
  type DecodedTensor,
  type DecodedSafetensors,
} from './safetensors.js';
export {
  CheckpointError,
  CHECKPOINT_METADATA,
  registerModel,
  registeredModels,
  saveModel,
  loadModel,
  loadWeights,
  readCheckpoint,
  type ModelConfig,
  type ModelFactory,
  type SaveModelOptions,
  type LoadWeightsOptions,
  type Checkpoint,
} from './checkpoint.js';
export { FileError, saveSafetensorsFile, loadSafetensorsFile, saveModelFile, loadModelFile } from './file.js';
