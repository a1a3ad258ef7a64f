import { heap } from '../backend/wasm.js';

/**
 * A block of float32s in linear memory, shared by a tensor and its views (`reshape` and the
 * like), freed when the last of them lets go.
 */
export class Storage {
  refs = 1;
  /**
   * Bumped by every in-place write (PyTorch's `_version`, shared by all views of the storage):
   * backward compares it with the version an op saved to catch stale saved tensors.
   */
  version = 0;
  /** The in-place op that last bumped `version`, for error messages. */
  lastWriter = '';
  constructor(
    readonly ptr: number,
    readonly bytes: number,
  ) {}

  retain(): void {
    this.refs++;
  }

  release(): void {
    if (--this.refs === 0) heap().release(this.ptr, this.bytes);
  }
}
