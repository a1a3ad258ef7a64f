import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import { gaussianWithOutliers } from '../../src/data/synthetic.js';
import { VAE } from '../../src/models/vae.js';
import type { Callback } from '../../src/train/fit.js';

const weights = (m: fg.nn.Module): Array<[string, Float32Array]> => Object.entries(m.stateDict()).map(([k, t]) => [k, t.toFloat32Array()]);

function memoryProbe(): { callback: Callback; seen: Array<{ bytes: number; tensors: number }> } {
  const seen: Array<{ bytes: number; tensors: number }> = [];
  return { seen, callback: { onEpochEnd: () => void seen.push({ bytes: fg.memoryStats().bytesInUse, tensors: fg.memoryStats().liveTensors }) } };
}

describe('VAE', () => {
  it('improves the ELBO monotonically after smoothing and separates injected outliers (ROC AUC >= 0.95)', () => {
    const { x, y } = gaussianWithOutliers({ n: 2000, dim: 10, latentDim: 2, outlierFraction: 0.05, seed: 4 });
    const vae = new VAE({ inputDim: 10, hiddenSizes: [32], latentDim: 2, learningRate: 1.5e-3, batchSize: 64, maxIter: 15, seed: 1 });
    const h = vae.fit(x).history as fg.History;
    const loss = h.history.loss as number[];
    expect(loss).toHaveLength(15);
    expect(h.history.elbo).toEqual(loss.map((v) => -v));
    // the 3-epoch moving average of −ELBO never goes up
    const smooth = loss.slice(2).map((_, i) => ((loss[i] as number) + (loss[i + 1] as number) + (loss[i + 2] as number)) / 3);
    for (let i = 1; i < smooth.length; i++) expect(smooth[i]).toBeLessThanOrEqual(smooth[i - 1] as number);
    expect(loss.at(-1)).toBeLessThan((loss[0] as number) / 2);
    // the two parts add up to the loss (β = 1)
    h.epochs.forEach((logs) => expect((logs.reconstruction as number) + (logs.kl as number)).toBeCloseTo(logs.loss as number, 3));

    const labels = y.toFloat32Array();
    const elbo = vae.anomalyScore(x);
    expect(elbo.shape).toEqual([2000]);
    expect(fg.rocAuc(labels, elbo.toFloat32Array())).toBeGreaterThanOrEqual(0.95);
    expect(fg.rocAuc(labels, vae.anomalyScore(x, { method: 'reconstruction' }).toFloat32Array())).toBeGreaterThanOrEqual(0.95);
    vae.dispose();
  });

  it("scores a row by its negative ELBO at z = mu: Σ(x̂ − x)² − ½·β·Σ(1 + logvar − mu² − e^logvar)", () => {
    const { x } = gaussianWithOutliers({ n: 200, dim: 6, seed: 2 });
    const beta = 0.7;
    const vae = new VAE({ hiddenSizes: [16, 8], latentDim: 3, beta, maxIter: 5, seed: 3 });
    vae.fit(x);
    const { mu, logvar } = vae.encode(x);
    expect(mu.shape).toEqual([200, 3]);
    expect(logvar.shape).toEqual([200, 3]);
    const recon = vae.reconstruct(x);
    expect(recon.shape).toEqual([200, 6]);
    const [m, lv, r, xs] = [mu, logvar, recon, x].map((t) => t.toFloat32Array()) as [Float32Array, Float32Array, Float32Array, Float32Array];
    const score = vae.anomalyScore(x).toFloat32Array();
    const rec = vae.anomalyScore(x, { method: 'reconstruction' }).toFloat32Array();
    for (let i = 0; i < 200; i++) {
      let se = 0;
      for (let j = 0; j < 6; j++) se += ((r[i * 6 + j] as number) - (xs[i * 6 + j] as number)) ** 2;
      let kl = 0;
      for (let j = 0; j < 3; j++) {
        const a = m[i * 3 + j] as number;
        const b = lv[i * 3 + j] as number;
        kl += -0.5 * (1 + b - a * a - Math.exp(b));
      }
      expect(rec[i]).toBeCloseTo(se, 4);
      expect(score[i]).toBeCloseTo(se + beta * kl, 4);
    }
    // the training loss is the mean of the same terms over rows, with sampled z
    vae.history?.epochs.forEach((logs) => expect((logs.reconstruction as number) + beta * (logs.kl as number)).toBeCloseTo(logs.loss as number, 3));
    vae.dispose();
  });

  it('samples and decodes new rows; evaluation is deterministic', () => {
    const { x } = gaussianWithOutliers({ n: 300, dim: 5, seed: 3 });
    const vae = new VAE({ latentDim: 2, maxIter: 5, seed: 4 });
    vae.fit(x);
    expect(vae.inputDim).toBe(5);
    const s = vae.sample(7);
    expect(s.shape).toEqual([7, 5]);
    expect(vae.sample(7, { seed: 1 }).toFloat32Array()).toEqual(vae.sample(7, { seed: 1 }).toFloat32Array());
    expect(vae.sample(7, { seed: 1 }).toFloat32Array()).not.toEqual(vae.sample(7, { seed: 2 }).toFloat32Array());
    expect(vae.reconstruct(x).toFloat32Array()).toEqual(vae.reconstruct(x).toFloat32Array());
    const { mu } = vae.encode(x);
    expect(vae.decode(mu).toFloat32Array()).toEqual(vae.reconstruct(x).toFloat32Array());
    vae.dispose();
  });

  it("models data in [0, 1] with reconstruction 'bce' (probabilities out)", () => {
    const r = fg.dataRng(5);
    const n = 400;
    // two prototypes of 8 bits, each bit flipped with probability 0.05
    const protos = [[1, 1, 1, 1, 0, 0, 0, 0], [0, 0, 0, 0, 1, 1, 1, 1]];
    const rows = Array.from({ length: n }, (_, i) => (protos[i % 2] as number[]).map((b) => (r() < 0.05 ? 1 - b : b)));
    const vae = new VAE({ reconstruction: 'bce', hiddenSizes: [16], latentDim: 2, learningRate: 0.01, maxIter: 30, seed: 6 });
    const h = vae.fit(rows).history as fg.History;
    expect(h.history.loss?.at(-1)).toBeLessThan((h.history.loss?.[0] as number) / 2);
    const rec = vae.reconstruct([protos[0] as number[], protos[1] as number[]]).toArray() as number[][];
    rec.forEach((row, k) => row.forEach((p, j) => {
      expect(p).toBeGreaterThan(0);
      expect(p).toBeLessThan(1);
      expect(Math.round(p)).toBe((protos[k] as number[])[j]);
    }));
    fg.tidy(() => vae.sample(5).toFloat32Array().forEach((p) => expect(p > 0 && p < 1).toBe(true)));
    expect(() => new VAE({ reconstruction: 'bce' }).fit([[0, 2]])).toThrow(/VAE\.fit: reconstruction 'bce' needs values in \[0, 1\], got 2 in row 0/);
    vae.dispose();
  });

  it('gives bitwise identical weights for the same seed and data, other weights for another seed', () => {
    const { x } = gaussianWithOutliers({ n: 200, dim: 6, seed: 7 });
    const run = (seed: number): Array<[string, Float32Array]> => {
      const vae = new VAE({ hiddenSizes: [8], maxIter: 3, seed });
      vae.fit(x);
      const w = weights(vae);
      vae.dispose();
      return w;
    };
    const a = run(1);
    expect(run(1)).toEqual(a);
    expect(run(2)).not.toEqual(a);
  });

  it('holds the same memory after every epoch as after the first', () => {
    const { x } = gaussianWithOutliers({ n: 400, dim: 8, seed: 8 });
    const probe = memoryProbe();
    const vae = new VAE({ hiddenSizes: [16], maxIter: 6, earlyStopping: true, nIterNoChange: 100 });
    const h = vae.fit(x, { callbacks: [probe.callback] }).history as fg.History;
    expect(h.history.valLoss).toHaveLength(6);
    expect(probe.seen).toHaveLength(6);
    for (const s of probe.seen) expect(s).toEqual(probe.seen[0]);
    vae.dispose();
  });

  it('names the model and the shapes in its errors', () => {
    const vae = new VAE({ inputDim: 4, maxIter: 1 });
    expect(() => vae.anomalyScore(fg.zeros([2, 4]))).toThrow(/VAE\.anomalyScore: the model is not fitted yet/);
    expect(() => vae.fit(fg.zeros([3, 5]))).toThrow(/VAE\.fit: expected x of shape \[samples, 4\] \(samples, features\), got \[3, 5\]/);
    vae.fit(fg.randn([8, 4]));
    expect(() => vae.reconstruct(fg.zeros([2, 3]))).toThrow(/VAE\.reconstruct: expected x of shape \[samples, 4\].*got \[2, 3\]/);
    expect(() => vae.decode(fg.zeros([2, 3]))).toThrow(/VAE\.decode: expected x of shape \[samples, 2\] \(samples, latent\), got \[2, 3\]/);
    expect(() => vae.anomalyScore(fg.zeros([2, 4]), { method: 'kl' as 'elbo' })).toThrow(/VAE\.anomalyScore: method must be one of 'elbo', 'reconstruction'/);
    expect(() => vae.sample(0)).toThrow(/VAE\.sample: n must be an integer >= 1/);
    expect(() => new VAE({ beta: -1 })).toThrow(/VAE: beta must be a finite number >= 0/);
    vae.dispose();
  });
});
