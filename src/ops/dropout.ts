// Inverted dropout: during training each element is zeroed with probability p and the survivors
// are scaled by 1/(1 − p), so the expected value is unchanged and evaluation is the identity.
// Kernels (src/kernels/random.ts): dropout_mask_f32 draws the scaled mask, binary_f32 applies it.
// The backward pass redraws the same mask from a copy of the generator's state instead of
// keeping it: no mask tensor lives between forward and backward.
import { composed, isGradEnabled, noGrad, record } from '../autograd/graph.js';
import { dropoutMask, dropoutMaskFrom, saveState } from '../kernels/random.js';
import { type TensorInput, toTensor } from '../tensor/promote.js';
import { Generator, defaultGenerator } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { type Args, is, readArgs } from '../validate.js';
import { mul } from './binary.js';

export interface DropoutOptions {
  /** The probability of zeroing an element, in [0, 1]. Default 0.5. */
  p?: number;
  /** Drop elements (true, default) or pass the input through unchanged (evaluation). */
  training?: boolean;
  /** The random stream; the default generator (see `manualSeed`) otherwise. */
  generator?: Generator;
}

// The scaled keep-mask drawn from `state` (16 bytes copied from a generator).
function maskFrom(state: Uint8Array, shape: readonly number[], p: number): Tensor {
  const mask = Tensor.empty(shape);
  dropoutMaskFrom(state, mask, p);
  return mask;
}

const DROPOUT = { p: is.number({ min: 0, max: 1 }), training: is.boolean, generator: is.instance(Generator, 'a Generator') };

/**
 * Zeroes each element with probability `p` (in [0, 1]) and scales the rest by 1/(1 − p).
 * p = 1 gives zeros; p = 0, `training: false` or an empty tensor return `x` itself, as in
 * PyTorch (F.dropout's order: `dropout(x, 0.2, false)`, or `dropout(x, {p: 0.2})`). Reproducible under a seeded generator. Gradient: dy ⊙ mask.
 */
export function dropout(input: TensorInput, ...args: Args<[p: number | undefined, training: boolean | undefined], DropoutOptions>): Tensor {
  const x = toTensor('dropout', 'input', input);
  const options = readArgs('dropout', args, ['p', 'training'], DROPOUT);
  const p = options.p ?? 0.5;
  if (!(options.training ?? true) || p === 0 || x.size === 0) return x;
  const gen = options.generator ?? defaultGenerator;
  const state = saveState(gen.ptr);
  const mask = Tensor.empty(x.shape);
  dropoutMask(gen.ptr, mask, p);
  const out = noGrad(() => mul(x, mask));
  mask.dispose();
  return record(out, 'dropout', [x], composed((dy) => [
    () => {
      const m = maskFrom(state, x.shape, p);
      const dx = mul(dy, m);
      // Recording (createGraph), dx's graph reads the mask: it stays in the scope.
      if (!isGradEnabled()) m.dispose();
      return dx;
    },
  ]), []); // the mask is regenerated from the generator state, not read from x
}
