// nn.LSTM / nn.GRU / nn.RNN as ONNX LSTM / GRU / RNN nodes, one per stacked layer.
//
// The layouts differ from PyTorch's (onnx/docs/Operators.md, LSTM and GRU):
// - gate blocks of W and R: PyTorch LSTM is (i, f, g, o), ONNX (i, o, f, c); PyTorch GRU is
//   (r, z, n), ONNX (z, r, h). Rows are moved block by block.
// - biases: ONNX takes one B = [Wb | Rb] of 2·G·H per direction (each in ONNX's gate order).
// - GRU: PyTorch applies the reset gate after the hidden product, r ⊙ (W_hn·h + b_hn), which
//   is ONNX's linear_before_reset = 1 (the default 0 is the original Cho et al. form).
// - tensors are time-major [T, N, ·] (`layout` 0, the only one opset 13 has), so the batch-first
//   input is transposed once on entry and the sequence once on exit; Y [T, 1, N, H] loses its
//   direction axis between layers.
import type { GRU, LSTM, RNN } from '../nn/recurrent.js';
import { LSTM as LSTMClass, GRU as GRUClass } from '../nn/recurrent.js';
import type { Tensor } from '../tensor/tensor.js';
import type { GraphBuilder } from './graph.js';
import type { AttributeValue } from './proto.js';

/** For each ONNX gate block, the PyTorch block it comes from. */
const ORDER = { LSTM: [0, 3, 1, 2], GRU: [1, 0, 2], RNN: [0] } as const;

function reorder(values: Float32Array, hidden: number, cols: number, order: readonly number[]): Float32Array {
  const out = new Float32Array(values.length);
  const block = hidden * cols;
  order.forEach((from, to) => out.set(values.subarray(from * block, (from + 1) * block), to * block));
  return out;
}

/**
 * Emits the stack `layer` on the batch-first input x [N, T, I]; returns the top layer's
 * sequence, batch-first [N, T, H] ('sequence', what `forward` returns), or its final hidden
 * state [N, H] ('lastHidden', the forecaster's `select(hN, 0, numLayers − 1)`).
 */
export function emitRecurrent(g: GraphBuilder, layer: LSTM | GRU | RNN, x: string, want: 'sequence' | 'lastHidden'): string {
  const kind = layer instanceof LSTMClass ? 'LSTM' : layer instanceof GRUClass ? 'GRU' : 'RNN';
  const order = ORDER[kind];
  const h = layer.hiddenSize;
  const state = layer.stateDict();
  const param = (name: string, k: number): Tensor => state[`${name}_l${k}`] as Tensor;
  let seq = g.node('Transpose', [x], { perm: { ints: [1, 0, 2] } }, 'time_major');
  let lastH = '';
  for (let k = 0; k < layer.numLayers; k++) {
    const wIh = param('weight_ih', k);
    const inF = wIh.shape[1] as number;
    const inputs = [
      seq,
      g.weight(`${kind.toLowerCase()}_W_l${k}`, reorder(wIh.toFloat32Array(), h, inF, order), [1, order.length * h, inF]),
      g.weight(`${kind.toLowerCase()}_R_l${k}`, reorder(param('weight_hh', k).toFloat32Array(), h, h, order), [1, order.length * h, h]),
    ];
    if (layer.bias) {
      const b = new Float32Array(2 * order.length * h);
      b.set(reorder(param('bias_ih', k).toFloat32Array(), h, 1, order), 0);
      b.set(reorder(param('bias_hh', k).toFloat32Array(), h, 1, order), order.length * h);
      inputs.push(g.weight(`${kind.toLowerCase()}_B_l${k}`, b, [1, b.length]));
    }
    const attrs: Record<string, AttributeValue> = kind === 'GRU' ? { hidden_size: h, linear_before_reset: 1 } : kind === 'RNN' ? { hidden_size: h, activations: { strings: [(layer as RNN).nonlinearity === 'relu' ? 'Relu' : 'Tanh'] } } : { hidden_size: h };
    const [y, yh] = g.nodeN(kind, inputs, attrs, 2, `${kind.toLowerCase()}_l${k}`) as [string, string];
    lastH = yh;
    if (k < layer.numLayers - 1 || want === 'sequence') seq = g.node('Squeeze', [y, g.ints('axes', [1])], {}, `seq_l${k}`);
  }
  return want === 'sequence' ? g.node('Transpose', [seq], { perm: { ints: [1, 0, 2] } }, 'batch_major') : g.node('Squeeze', [lastH, g.ints('axes', [0])], {}, 'last_hidden');
}
