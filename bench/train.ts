// Training throughput (samples/s) of three small finance-sized workloads, the same in fingrad,
// tfjs (wasm; cpu where wasm cannot train) and PyTorch (when Debian's python3-torch is there):
//   MLP 20→32→16→1, batch 64, Adam, MSE
//   LSTM(32) on [64, 30, 5] windows → linear head, Adam, MSE
//   CNN conv 3×3×8 on 28×28×1 → maxpool 2 → dense 10, batch 32, Adam, cross-entropy
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as fg from '../src/index.js';
import { TORCH_ENV, TORCH_PYTHONS } from './peers/child.js';
import { type Tf, useBackend } from './peers/tfjs.js';
import { measure } from './support/measure.js';

export interface TrainRow {
  name: string;
  batch: number;
  fingrad: number;
  tfjsWasm: number | null;
  tfjsCpu: number | null;
  pytorch: number | null;
  /** Bytes in use after the measured steps minus after the first step (0 = no growth). */
  memoryGrowthBytes: number;
}

interface Workload {
  name: string;
  key: 'mlp' | 'lstm' | 'cnn';
  batch: number;
  xShape: number[];
  yShape: number[];
  classes?: number;
  fingrad: () => fg.nn.Module;
  loss: (pred: fg.Tensor, y: fg.Tensor) => fg.Tensor;
  tfjs: (tf: Tf) => ReturnType<Tf['sequential']>;
  tfjsLoss: string;
  tfjsBackends: Array<'wasm' | 'cpu'>;
}

class LstmRegressor extends fg.nn.Module {
  readonly lstm: fg.nn.LSTM;
  readonly head: fg.nn.Linear;
  constructor() {
    super();
    this.lstm = this.registerModule('lstm', new fg.nn.LSTM(5, 32));
    this.head = this.registerModule('head', new fg.nn.Linear(32, 1));
  }
  forward(x: fg.Tensor): fg.Tensor {
    const out = this.lstm.forward(x); // [N, T, H]
    const last = fg.select(out, 1, -1); // [N, H]
    return this.head.forward(last);
  }
}

const WORKLOADS: Workload[] = [
  {
    name: 'MLP 20→32→16→1, b64', key: 'mlp', batch: 64, xShape: [64, 20], yShape: [64, 1],
    fingrad: () => new fg.nn.Sequential(new fg.nn.Linear(20, 32), new fg.nn.ReLU(), new fg.nn.Linear(32, 16), new fg.nn.ReLU(), new fg.nn.Linear(16, 1)),
    loss: (p, y) => fg.mseLoss(p, y),
    tfjs: (tf) => tf.sequential({ layers: [
      tf.layers.dense({ inputShape: [20], units: 32, activation: 'relu' }),
      tf.layers.dense({ units: 16, activation: 'relu' }),
      tf.layers.dense({ units: 1 }),
    ] }),
    tfjsLoss: 'meanSquaredError',
    tfjsBackends: ['wasm'],
  },
  {
    name: 'LSTM(32) [64, 30, 5]', key: 'lstm', batch: 64, xShape: [64, 30, 5], yShape: [64, 1],
    fingrad: () => new LstmRegressor(),
    loss: (p, y) => fg.mseLoss(p, y),
    tfjs: (tf) => tf.sequential({ layers: [tf.layers.lstm({ inputShape: [30, 5], units: 32, recurrentInitializer: 'glorotUniform' }), tf.layers.dense({ units: 1 })] }),
    tfjsLoss: 'meanSquaredError',
    tfjsBackends: ['wasm'],
  },
  {
    name: 'CNN 3×3×8 28×28 → pool → 10, b32', key: 'cnn', batch: 32, xShape: [32, 1, 28, 28], yShape: [32], classes: 10,
    fingrad: () => new fg.nn.Sequential(new fg.nn.Conv2d(1, 8, 3), new fg.nn.ReLU(), new fg.nn.MaxPool2d(2), new fg.nn.Flatten(), new fg.nn.Linear(8 * 13 * 13, 10)),
    loss: (p, y) => fg.crossEntropy(p, y),
    tfjs: (tf) => tf.sequential({ layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10 }),
    ] }),
    tfjsLoss: 'sparseCategoricalCrossentropy',
    tfjsBackends: ['cpu'],
  },
];

async function fingradThroughput(w: Workload, quick: boolean): Promise<{ samplesPerSec: number; growth: number }> {
  fg.manualSeed(1);
  const model = w.fingrad();
  const opt = new fg.optim.Adam(model.parameters(), { lr: 1e-3 });
  const x = fg.keep(fg.randn(w.xShape));
  const y = fg.keep(w.classes ? fg.tensor(Float32Array.from({ length: w.batch }, (_, i) => i % (w.classes as number)), w.yShape) : fg.randn(w.yShape));
  const step = (): void => {
    fg.tidy(() => {
      const loss = w.loss(model.forward(x), y);
      loss.backward();
      opt.step();
      opt.zeroGrad();
    });
  };
  step();
  const before = fg.memoryStats().bytesInUse;
  const t = await measure(step, quick ? 400 : 1500);
  const growth = fg.memoryStats().bytesInUse - before;
  model.dispose();
  opt.dispose();
  x.dispose();
  y.dispose();
  return { samplesPerSec: (w.batch * 1000) / t.medianMs, growth };
}

async function tfjsThroughput(tf: Tf, w: Workload, backend: 'wasm' | 'cpu', quick: boolean): Promise<number | null> {
  try {
    await useBackend(tf, backend);
    const model = w.tfjs(tf);
    model.compile({ optimizer: tf.train.adam(1e-3), loss: w.tfjsLoss });
    const nhwc = w.key === 'cnn' ? [w.batch, 28, 28, 1] : w.xShape;
    const x = tf.randomNormal(nhwc);
    const y = w.classes ? tf.tensor1d(Array.from({ length: w.batch }, (_, i) => i % (w.classes as number)), 'float32') : tf.randomNormal(w.yShape);
    await model.trainOnBatch(x, y);
    const t = await measure(async () => {
      await model.trainOnBatch(x, y);
    }, quick ? 400 : 1500);
    tf.dispose([x, y]);
    model.dispose();
    return (w.batch * 1000) / t.medianMs;
  } catch (e) {
    console.warn(`tfjs-${backend} could not train ${w.name}: ${String(e).split('\n')[0]}`);
    return null;
  }
}

// PyTorch through bench/torch_train.py when a python3 can import torch, on one thread with
// OpenBLAS pinned (TORCH_ENV); null otherwise.
function pytorchThroughput(quick: boolean): Record<string, number> | null {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'torch_train.py');
  let reason = 'no python3 found';
  for (const python of TORCH_PYTHONS) {
    try {
      const out = execFileSync(python, [script, quick ? '--quick' : '--full'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000, env: { ...process.env, ...TORCH_ENV } });
      return JSON.parse(out.trim().split('\n').pop() as string) as Record<string, number>;
    } catch (e) {
      const msg = String((e as { stderr?: string }).stderr || e);
      reason = msg.includes('No module named') ? 'python3-torch is not installed: apt-get install python3-torch' : (msg.split('\n')[0] as string);
    }
  }
  console.warn(`PyTorch column skipped (${reason})`);
  return null;
}

export async function benchTraining(tf: Tf | null, quick: boolean): Promise<TrainRow[]> {
  const torch = pytorchThroughput(quick);
  const rows: TrainRow[] = [];
  for (const w of WORKLOADS) {
    const ours = await fingradThroughput(w, quick);
    rows.push({
      name: w.name,
      batch: w.batch,
      fingrad: ours.samplesPerSec,
      tfjsWasm: tf && w.tfjsBackends.includes('wasm') ? await tfjsThroughput(tf, w, 'wasm', quick) : null,
      tfjsCpu: tf && w.tfjsBackends.includes('cpu') ? await tfjsThroughput(tf, w, 'cpu', quick) : null,
      pytorch: torch?.[w.key] ?? null,
      memoryGrowthBytes: ours.growth,
    });
  }
  return rows;
}
