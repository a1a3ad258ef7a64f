/** Base class of every error fingrad throws on bad input or misuse. */
export class FingradError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Shapes that do not fit an op (mismatch, wrong rank, bad axis). */
export class ShapeError extends FingradError {}

/** A value that an op cannot take: NaN where not allowed, a non-integer label, a bad option. */
export class ValueError extends FingradError {}

/**
 * An argument of the wrong type or out of range, named with the function and the parameter
 * (`'sum: keepdim must be a boolean, got string "yes"'`).
 */
export class ArgumentError extends ValueError {
  constructor(
    message: string,
    /** The function or constructor that was called (`'nn.Linear'`). */
    readonly where = '',
    /** The parameter or option at fault. */
    readonly param = '',
  ) {
    super(message);
  }
}

/** An options object with a key the function does not know; names the closest valid key. */
export class UnknownOptionError extends ArgumentError {
  constructor(
    message: string,
    where: string,
    param: string,
    /** The closest valid key, when one is close enough to be a typo. */
    readonly suggestion: string | undefined,
  ) {
    super(message, where, param);
  }
}

/** A model used for prediction (or its fitted attributes read) before `fit`. */
export class NotFittedError extends ValueError {}

/** A checkpoint whose config or weights do not fit the model, or an unknown model kind. */
export class CheckpointError extends ValueError {}

/** A tensor used after `dispose()` (directly or by leaving a `tidy` scope). */
export class DisposedError extends FingradError {}

/** The engine was used before `await ready()`, or the kernels failed to load. */
export class BackendError extends FingradError {}

/** Formats a shape the way messages print it: `[2, 3]`. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * A NaN or ±Infinity first produced by an op (`detectAnomaly`): names the op, the pass
 * (forward or backward) and the shapes of the op's inputs.
 */
export class AnomalyError extends FingradError {
  constructor(
    message: string,
    /** The op as recorded in the graph (`sqrt`, `linear+relu`); 'input' for a leaf holding NaN/Infinity. */
    readonly op: string,
    readonly phase: 'forward' | 'backward',
    /** Shapes of the op's inputs. */
    readonly inputShapes: number[][],
  ) {
    super(message);
  }
}
