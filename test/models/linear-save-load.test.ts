// saveModel / loadModel of the convex models: every prediction bitwise the same after a round
// trip, the float64 coef/intercept and the labels exactly the same, unfitted models too;
// corrupted configs and edited weights.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import { gauss, rng } from '../support/linear-problems.js';

const { LinearRegression, LogisticRegression, LinearSVM, CheckpointError, saveModel, loadModel, readCheckpoint, encodeSafetensors } = fg;
type LinearModel = fg.LinearModel;

/** Rows N(0.5, 1.5²) and labels drawn as the nearest of k random centres (with noise); `labels` renames 0..k-1. */
function classData(seed: number, n: number, d: number, labels: number[]): { x: number[][]; y: number[] } {
  const r = rng(seed);
  const centres = labels.map(() => Array.from({ length: d }, () => gauss(r) * 1.5));
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % labels.length;
    x.push((centres[c] as number[]).map((m) => m + gauss(r) * 1.5 + 0.5));
    y.push(labels[c] as number);
  }
  return { x, y };
}

function regressionData(seed: number, n: number, d: number, t: number): { x: number[][]; y: number[][] } {
  const r = rng(seed);
  const w = Array.from({ length: t }, () => Array.from({ length: d }, () => gauss(r)));
  const x = Array.from({ length: n }, () => Array.from({ length: d }, () => gauss(r) * 2 + 1));
  const y = x.map((row) => w.map((wc, c) => row.reduce((s, v, j) => s + v * (wc[j] as number), c + 3) + 0.3 * gauss(r)));
  return { x, y };
}

/** The raw float32 bits of a tensor: equal means bitwise identical (NaN payloads and −0 included). */
function bits(t: fg.Tensor): number[] {
  const f = t.toFloat32Array();
  return Array.from(new Uint32Array(f.buffer, f.byteOffset, f.length));
}

/** Saves and loads `model`; checks class, eval mode, config, state keys, and that every output is bitwise the same. */
function roundTrip<M extends LinearModel>(model: M, outputs: (m: M) => fg.Tensor[]): M {
  const loaded = loadModel<M>(saveModel(model));
  expect(loaded).toBeInstanceOf(model.constructor);
  expect(loaded).not.toBe(model);
  expect(loaded.training).toBe(false);
  expect(loaded.isFitted).toBe(model.isFitted);
  expect(loaded.config()).toEqual(model.config());
  expect(Object.keys(loaded.stateDict()).sort()).toEqual(Object.keys(model.stateDict()).sort());
  if (model.isFitted) {
    // Float64 values bitwise: toEqual compares numbers with Object.is.
    expect(loaded.coef).toEqual(model.coef);
    expect(loaded.intercept).toEqual(model.intercept);
    expect(loaded.nFeatures).toBe(model.nFeatures);
    for (const [key, t] of Object.entries(model.stateDict())) expect(bits(loaded.stateDict()[key] as fg.Tensor), key).toEqual(bits(t));
    fg.tidy(() => {
      const before = outputs(model).map(bits);
      const after = outputs(loaded).map(bits);
      expect(after).toEqual(before);
    });
  }
  return loaded;
}

/** Re-encodes a checkpoint after editing its config (a JSON copy) and/or its tensors. */
function rewrite(bytes: Uint8Array, edit: (config: Record<string, unknown>, fitted: Record<string, unknown>, tensors: Record<string, fg.DecodedTensor>) => void): Uint8Array {
  const { config, tensors, metadata } = readCheckpoint(bytes);
  const copy = JSON.parse(JSON.stringify(config)) as Record<string, unknown>;
  edit(copy, copy['fitted'] as Record<string, unknown>, tensors);
  return encodeSafetensors(tensors, { ...metadata, [fg.CHECKPOINT_METADATA.config]: JSON.stringify(copy) });
}

const classifierOutputs = (m: fg.LogisticRegression | fg.LinearSVM, x: number[][]): fg.Tensor[] => [m.predict(x), m.predictProba(x), m.decisionFunction(x)];

describe('convex models: saveModel / loadModel round trips', () => {
  it('registers LinearRegression, LogisticRegression and LinearSVM', () => {
    expect(fg.registeredModels()).toEqual(expect.arrayContaining(['LinearRegression', 'LogisticRegression', 'LinearSVM']));
  });

  it('LinearRegression: flat targets (ridge), 2-D targets without intercept', () => {
    const { x, y } = regressionData(1, 40, 4, 2);
    const flat = new LinearRegression({ alpha: 0.5 }).fit(x, y.map((r) => r[0] as number));
    const back = roundTrip(flat, (m) => [m.predict(x)]);
    expect(back.predict(x).shape).toEqual([40]);
    expect(back.method).toBe(flat.method);

    const multi = new LinearRegression({ fitIntercept: false }).fit(x, y);
    expect(Object.keys(multi.stateDict())).toEqual(['weight']);
    const back2 = roundTrip(multi, (m) => [m.predict(x)]);
    expect(back2.predict(x).shape).toEqual([40, 2]);
    expect(back2.intercept).toEqual([0, 0]);
    expect(back2.config().fitted?.flatTargets).toBe(false);
    [flat, back, multi, back2].forEach((m) => m.dispose());
  });

  it('LogisticRegression: binary, multinomial, one-vs-rest, multinomial on two classes, L1', () => {
    const two = classData(2, 60, 3, [-1, 4]);
    const three = classData(3, 90, 3, [2, 5, 9]);
    const cases: Array<[fg.LogisticRegression, { x: number[][]; y: number[] }, string]> = [
      [new LogisticRegression({ C: 0.7 }), two, 'binary'],
      [new LogisticRegression({ tol: 1e-8 }), three, 'multinomial'],
      [new LogisticRegression({ multiClass: 'ovr', fitIntercept: false }), three, 'ovr'],
      [new LogisticRegression({ multiClass: 'multinomial' }), two, 'multinomial'],
      [new LogisticRegression({ penalty: 'l1', C: 0.05 }), three, 'multinomial'],
    ];
    for (const [model, { x, y }, scheme] of cases) {
      model.fit(x, y);
      const back = roundTrip(model, (m) => [...classifierOutputs(m, x), m.predictLogProba(x)]);
      expect(back.scheme).toBe(scheme);
      expect(back.classes).toEqual(model.classes);
      expect(back.nIter).toEqual(model.nIter);
      expect(back.converged).toBe(model.converged);
      expect(back.config().options).toEqual(model.config().options);
      model.dispose();
      back.dispose();
    }
    // The L1 fit has exact zeros, which survive as such.
    const l1 = new LogisticRegression({ penalty: 'l1', C: 0.05 }).fit(three.x, three.y);
    expect(l1.coef.flat()).toContain(0);
    l1.dispose();
  });

  it('LinearSVM: hinge binary and squared-hinge 3-class one-vs-rest, with Platt probabilities', () => {
    const two = classData(4, 60, 3, [0, 1]);
    const three = classData(5, 90, 4, [1, 2, 3]);
    const cases: Array<[fg.LinearSVM, { x: number[][]; y: number[] }]> = [
      [new LinearSVM({ loss: 'hinge', C: 0.3 }), two],
      [new LinearSVM({ C: 2 }), three],
    ];
    for (const [model, { x, y }] of cases) {
      model.fit(x, y);
      const back = roundTrip(model, (m) => classifierOutputs(m, x));
      expect(Object.keys(back.stateDict()).sort()).toEqual(['bias', 'probA', 'probB', 'weight']);
      expect(back.probA).toEqual(model.probA);
      expect(back.probB).toEqual(model.probB);
      expect(back.classes).toEqual(model.classes);
      expect(back.nIter).toEqual(model.nIter);
      model.dispose();
      back.dispose();
    }
  });

  it('unfitted models round-trip, and a loaded model (fitted or not) fits again like a fresh one', () => {
    const { x, y } = classData(6, 60, 3, [0, 1, 2]);
    const fresh = [new LinearRegression({ alpha: 2 }), new LogisticRegression({ penalty: 'none', maxIter: 50 }), new LinearSVM({ loss: 'hinge' })] as const;
    for (const model of fresh) {
      const blank = roundTrip<LinearModel>(model, () => []);
      expect(blank.isFitted).toBe(false);
      expect(blank.config()).toMatchObject({ fitted: null });
      expect(Object.keys(blank.stateDict())).toEqual([]);
    }
    const [reg, logit, svm] = fresh.map((m) => loadModel<LinearModel>(saveModel(m)));
    (reg as fg.LinearRegression).fit(x, y);
    (logit as fg.LogisticRegression).fit(x, y);
    (svm as fg.LinearSVM).fit(x, y);
    expect((reg as fg.LinearRegression).coef).toEqual(fresh[0].fit(x, y).coef);
    expect((logit as fg.LogisticRegression).coef).toEqual(fresh[1].fit(x, y).coef);
    expect((svm as fg.LinearSVM).probA).toEqual(fresh[2].fit(x, y).probA);

    const refit = loadModel<fg.LogisticRegression>(saveModel(fresh[1]));
    refit.fit(x, y.map((v) => (v === 2 ? 1 : v)));
    expect(refit.classes).toEqual([0, 1]);
    expect(refit.coef.length).toBe(1);
    [...fresh, reg, logit, svm, refit].forEach((m) => m?.dispose());
  });

  it('saveModelFile / loadModelFile', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fingrad-linear-'));
    try {
      const { x, y } = classData(7, 60, 3, [0, 1, 2]);
      const model = new LinearSVM({ C: 0.5 }).fit(x, y);
      const path = join(dir, 'svm.safetensors');
      await fg.saveModelFile(path, model);
      const loaded = await fg.loadModelFile<fg.LinearSVM>(path);
      expect(loaded).toBeInstanceOf(LinearSVM);
      expect(loaded.training).toBe(false);
      expect(loaded.coef).toEqual(model.coef);
      expect(loaded.config()).toEqual(model.config());
      fg.tidy(() => expect(classifierOutputs(loaded, x).map(bits)).toEqual(classifierOutputs(model, x).map(bits)));
      model.dispose();
      loaded.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('round trips leave memory as it was', () => {
    const { x, y } = classData(8, 40, 3, [0, 1, 2]);
    const before = fg.memoryStats().liveTensors;
    for (let i = 0; i < 2; i++) {
      const m = new LinearSVM().fit(x, y);
      const back = loadModel<fg.LinearSVM>(saveModel(m));
      fg.tidy(() => {
        back.predictProba(x);
      });
      m.dispose();
      back.dispose();
    }
    expect(fg.memoryStats().liveTensors).toBe(before);
  });
});

describe('convex models: corrupted checkpoints', () => {
  const { x, y } = classData(9, 60, 4, [0, 1]);
  const three = classData(10, 60, 4, [0, 1, 2]);

  it('nFeatures that disagrees with coef names both and the shapes', () => {
    const m = new LogisticRegression().fit(x, y);
    const bytes = rewrite(saveModel(m), (_, f) => (f['nFeatures'] = 5));
    expect(() => loadModel(bytes)).toThrow(CheckpointError);
    expect(() => loadModel(bytes)).toThrow(/LogisticRegression\.fromConfig: config 'fitted\.coef' must be \[1, 5\] finite numbers \('fitted\.nOutputs' × 'fitted\.nFeatures', the shape of 'weight'\), got shape \[1, 4\]/);
    m.dispose();
  });

  it('a config whose coef and nFeatures agree but not with the file names the weight key and both shapes', () => {
    const m = new LinearRegression().fit(x, y);
    const bytes = rewrite(saveModel(m), (_, f) => {
      f['nFeatures'] = 5;
      (f['coef'] as number[][])[0]?.push(0);
    });
    expect(() => loadModel(bytes)).toThrow(/'weight' has shape \[1, 4\] in the checkpoint but \[1, 5\] in the 'LinearRegression' model built from its config/);
    const noBias = rewrite(saveModel(m), (_, __, tensors) => delete tensors['bias']);
    expect(() => loadModel(noBias)).toThrow(/missing key 'bias' \(shape \[1\]/);
    m.dispose();
  });

  it('inconsistent fitted fields name the field', () => {
    const logit = saveModel(new LogisticRegression({ multiClass: 'ovr' }).fit(three.x, three.y));
    const svm = saveModel(new LinearSVM().fit(three.x, three.y));
    const reg = saveModel(new LinearRegression().fit(x, y));
    // A bad option is the constructor's ValueError (CheckpointError is one too).
    const badOption = rewrite(logit, (c) => ((c['options'] as Record<string, unknown>)['C'] = -1));
    expect(() => loadModel(badOption)).toThrow(fg.ValueError);
    expect(() => loadModel(badOption)).toThrow(/LogisticRegression: C must be a finite number > 0, got number -1/);
    const cases: Array<[Uint8Array, RegExp]> = [
      [rewrite(logit, (_, f) => (f['classes'] = [0, 1])), /'fitted\.classes' has 2 labels, which needs 1 output row, but 'fitted\.nOutputs' is 3/],
      [rewrite(logit, (_, f) => (f['classes'] = [0, 2, 1])), /'fitted\.classes' must be at least two distinct integer labels in ascending order, got 3 values/],
      [rewrite(logit, (_, f) => (f['scheme'] = 'binary')), /'fitted\.scheme' is 'binary' but 'fitted\.classes' has 3 labels/],
      [rewrite(logit, (_, f) => (f['nIter'] = [3])), /'fitted\.nIter' must be 3 integers ≥ 0 \(one per solve of scheme 'ovr'\), got 1 values/],
      [rewrite(logit, (c) => ((c['options'] as Record<string, unknown>)['fitIntercept'] = false)), /'fitted\.bias' is true but 'options\.fitIntercept' is false/],
      [rewrite(logit, (c) => (c['fitted'] = [])), /LogisticRegression\.fromConfig: config 'fitted' must be null \(unfitted\) or an object, got 0 values/],
      [rewrite(svm, (_, f) => (f['probA'] = [1, 2])), /LinearSVM\.fromConfig: config 'fitted\.probA' must be 3 finite numbers \(one per binary problem: 'fitted\.nOutputs' = 3\), got 2 values/],
      [rewrite(svm, (_, f) => (f['intercept'] = [0, null, 0])), /'fitted\.intercept' must be 3 finite numbers \('fitted\.nOutputs'\), got 3 values \(\[0,null,0\]\)/],
      [rewrite(reg, (_, f) => (f['method'] = 'qr')), /LinearRegression\.fromConfig: config 'fitted\.method' must be one of 'refined', 'cholesky', 'eigen', got "qr"/],
      [rewrite(reg, (_, f) => (f['nOutputs'] = 0)), /'fitted\.nOutputs' must be a positive integer, got 0/],
    ];
    const live = fg.memoryStats().liveTensors;
    for (const [bytes, message] of cases) {
      expect(() => loadModel(bytes)).toThrow(CheckpointError);
      expect(() => loadModel(bytes)).toThrow(message);
    }
    // A config that fails half-way frees what it built.
    expect(fg.memoryStats().liveTensors).toBe(live);
  });

  it('the weights in the file are authoritative: edited weights and Platt buffers replace the float64 copies', () => {
    const m = new LinearSVM().fit(three.x, three.y);
    const bytes = rewrite(saveModel(m), (_, __, tensors) => {
      (tensors['weight'] as fg.DecodedTensor).data[1] = 0.25;
      (tensors['probA'] as fg.DecodedTensor).data[2] = -3;
    });
    const edited = loadModel<fg.LinearSVM>(bytes);
    const weight = Array.from(edited.weight?.toFloat32Array() ?? []);
    expect(edited.coef.flat()).toEqual(weight);
    expect(edited.coef[0]?.[1]).toBe(0.25);
    expect(edited.probA).toEqual(m.probA.map((a, i) => (i === 2 ? -3 : Math.fround(a))));
    expect(edited.probB).toEqual(m.probB); // untouched buffer: float64 values kept
    expect(edited.intercept).toEqual(m.intercept);
    // Predictions use the loaded values: the same as a model whose state holds them.
    fg.tidy(() => {
      const p = edited.predictProba(three.x).toFloat32Array();
      const s = edited.decisionFunction(three.x).toFloat32Array();
      const manual = Array.from({ length: 3 }, (_, c) => 1 / (1 + Math.exp(Math.fround(edited.probA[c] as number) * (s[c] as number) + Math.fround(edited.probB[c] as number))));
      const total = manual.reduce((a, b) => a + b, 0);
      manual.forEach((q, c) => expect(p[c]).toBeCloseTo(q / total, 5));
    });
    m.dispose();
    edited.dispose();
  });

  it('−0 in the weights survives JSON writing the float64 copy as 0', () => {
    const m = new LinearRegression().fit(x, y);
    const bytes = rewrite(saveModel(m), (_, f, tensors) => {
      (f['coef'] as number[][])[0]![0] = 0;
      (tensors['weight'] as fg.DecodedTensor).data[0] = -0;
    });
    const back = loadModel<fg.LinearRegression>(bytes);
    expect(Object.is(back.coef[0]?.[0], -0)).toBe(true);
    expect(back.coef[0]?.slice(1)).toEqual(m.coef[0]?.slice(1));
    m.dispose();
    back.dispose();
  });

  it('loadWeights into a fitted model makes coef report the new weights', () => {
    const m = new LogisticRegression().fit(x, y);
    const w = Float32Array.from({ length: 4 }, (_, j) => j - 1.5);
    fg.loadWeights(m, encodeSafetensors({ weight: { shape: [1, 4], data: w }, bias: { shape: [1], data: [0.5] } }));
    expect(m.coef).toEqual([Array.from(w)]);
    expect(m.intercept).toEqual([0.5]);
    m.dispose();
  });
});
