// What the worker measures while a task trains: per-weight gradient norms (tensor hooks, which
// see each gradient backward() computes before the optimizer step), weight and last-batch
// gradient histograms per epoch, and the share of dead ReLU units on the probe rows.
import * as fg from '../src/index.js';
import type { LayerHistograms } from './protocol.js';

const BINS = 24;

function histogramOf(values: Float32Array): fg.Histogram {
  return fg.tidy(() => fg.tensorStats(fg.tensor(values), { bins: BINS }).histogram);
}

export class Instruments {
  /** The weights watched (rank ≥ 2: matrices and kernels; biases are left out). */
  readonly layers: string[] = [];
  private weights: fg.Tensor[] = [];
  private sums: number[] = [];
  private lastGrad: Array<Float32Array | null> = [];
  private batches = 0;
  private removers: Array<() => void> = [];

  attach(model: fg.nn.Module): void {
    const weights = model.namedParameters().filter(([, p]) => p.rank >= 2);
    this.weights = weights.map(([, p]) => p);
    weights.forEach(([name, w], i) => {
      this.layers.push(`${name} [${w.shape.join('×')}]`);
      this.removers.push(
        w.registerHook((g) => {
          // Runs inside backward's noGrad + tidy: the temporaries below are freed with it.
          this.sums[i] = (this.sums[i] ?? 0) + Math.sqrt(g.square().sum().item());
          this.lastGrad[i] = g.toFloat32Array();
          if (i === 0) this.batches++;
        }),
      );
    });
    this.sums = weights.map(() => 0);
    this.lastGrad = weights.map(() => null);
  }

  /** Mean per-batch ‖∇W‖₂ of each weight since the last call, and the histograms now. */
  takeEpoch(): { gradNorms: number[]; histograms: LayerHistograms[] } {
    const gradNorms = this.sums.map((s) => s / Math.max(1, this.batches));
    const histograms = this.weights.map((w, i) => {
      const g = this.lastGrad[i];
      return { name: this.layers[i] as string, weight: histogramOf(w.toFloat32Array()), grad: g ? histogramOf(g) : null };
    });
    this.sums = this.sums.map(() => 0);
    this.batches = 0;
    return { gradNorms, histograms };
  }

  detach(): void {
    this.removers.forEach((remove) => remove());
    this.removers = [];
  }
}

/** The ReLU layers of `model`, by their module path. */
export function reluLayers(model: fg.nn.Module): string[] {
  return fg.namedModules(model).filter(([, m]) => m instanceof fg.nn.ReLU).map(([name]) => name);
}

/**
 * Per ReLU layer, the share of its units (output positions) that are 0 for every probe row: a
 * dead unit passes no gradient, so it never learns again.
 */
export function deadUnits(model: fg.nn.Module, probe: fg.Tensor, layers: readonly string[]): number[] {
  if (layers.length === 0) return [];
  const training = model.training;
  model.eval();
  const rec = fg.recordActivations(model, () => fg.noGrad(() => fg.tidy(() => void model.forward(probe))), { gradients: false });
  try {
    return layers.map((name) => {
      const out = rec.get(name).output;
      if (out === null) return 0;
      const rows = out.shape[0] as number;
      const width = out.size / rows;
      const v = out.data;
      let dead = 0;
      for (let j = 0; j < width; j++) {
        let alive = false;
        for (let r = 0; r < rows && !alive; r++) alive = (v[r * width + j] as number) > 0;
        if (!alive) dead++;
      }
      return dead / width;
    });
  } finally {
    rec.dispose();
    model.train(training);
  }
}
