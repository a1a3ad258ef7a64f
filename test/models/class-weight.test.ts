// classWeight on LogisticRegression and LinearSVM (sklearn's class_weight): the weighted optimum
// against a float64 Newton reference, 'balanced' against its explicit weights, integer weights
// against duplicated rows, sklearn's one-vs-rest conventions, the effect on an imbalanced
// problem, the errors, and save/load.
import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import { gauss, rng } from '../support/linear-problems.js';
import { maxDiff, weightedLogisticNewton } from '../support/linear-reference.js';
import { expectNoMemoryGrowth } from '../support/memory-check.js';

const { LogisticRegression, LinearSVM, ValueError, saveModel, loadModel } = fg;

interface Data {
  x: number[][];
  y: number[];
}

/**
 * Rows around one random centre per class (noise N(0, 1.5²), shift 0.5), labels `labels`, drawn
 * with probabilities `share` (equal shares by default).
 */
function classData(seed: number, n: number, d: number, labels: number[], share?: number[]): Data {
  const r = rng(seed);
  const centres = labels.map(() => Array.from({ length: d }, () => gauss(r) * 1.2));
  const p = share ?? labels.map(() => 1 / labels.length);
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    let u = r();
    let c = 0;
    while (c < labels.length - 1 && u > (p[c] as number)) u -= p[c++] as number;
    x.push((centres[c] as number[]).map((m) => m + gauss(r) * 1.5 + 0.5));
    y.push(labels[c] as number);
  }
  return { x, y };
}

/** The rows of `data` whose label has weight w repeated w times (integer weights). */
function duplicate(data: Data, weight: Record<number, number>): Data {
  const x: number[][] = [];
  const y: number[] = [];
  data.x.forEach((row, i) => {
    const label = data.y[i] as number;
    for (let t = 0; t < (weight[label] ?? 1); t++) {
      x.push(row);
      y.push(label);
    }
  });
  return { x, y };
}

/** sklearn's balanced weights n / (k · count) as an explicit object. */
function balancedObject(y: number[]): Record<number, number> {
  const labels = [...new Set(y)].sort((a, b) => a - b);
  const out: Record<number, number> = {};
  for (const l of labels) out[l] = y.length / (labels.length * y.filter((v) => v === l).length);
  return out;
}

const flat = (m: { coef: number[][]; intercept: number[] }): number[] => [...m.coef.flat(), ...m.intercept];

/** Recall of class `label`: the share of its rows predicted as it. */
function recall(model: fg.LogisticRegression | fg.LinearSVM, data: Data, label: number): number {
  const pred = fg.tidy(() => Array.from(model.predict(data.x).toFloat32Array()));
  let hit = 0;
  let total = 0;
  data.y.forEach((v, i) => {
    if (v !== label) return;
    total++;
    if (pred[i] === label) hit++;
  });
  return hit / total;
}

describe('classWeight — LogisticRegression', () => {
  it('binary L2: coefficients and intercept within 1e-3 of weighted Newton in float64 (several C, ± intercept)', () => {
    const data = classData(1, 300, 4, [0, 1], [0.7, 0.3]);
    const weight = { 0: 0.6, 1: 3.5 };
    const v = data.y.map((l) => weight[l as 0 | 1]);
    for (const C of [0.05, 1, 50]) {
      for (const fitIntercept of [true, false]) {
        const model = new LogisticRegression({ C, fitIntercept, classWeight: weight }).fit(data.x, data.y);
        const ref = weightedLogisticNewton(data.x, data.y, v, C, fitIntercept);
        expect(maxDiff(model.coef[0] as number[], ref.w)).toBeLessThan(1e-3);
        expect(Math.abs((model.intercept[0] as number) - ref.b)).toBeLessThan(1e-3);
        expect(model.converged).toBe(true);
        // The weights matter: the unweighted fit is far from this optimum.
        const plain = new LogisticRegression({ C, fitIntercept }).fit(data.x, data.y);
        expect(maxDiff(flat(plain), flat(model))).toBeGreaterThan(1e-2);
        model.dispose();
        plain.dispose();
      }
    }
  });

  it('one-vs-rest (sklearn): an object weighs rows by their original labels; balanced is recomputed per binary problem', () => {
    const data = classData(2, 240, 3, [1, 4, 6], [0.5, 0.35, 0.15]);
    const n = data.y.length;
    const C = 0.8;
    const weight = { 1: 0.5, 4: 2, 6: 4 };
    const byObject = new LogisticRegression({ multiClass: 'ovr', C, classWeight: weight }).fit(data.x, data.y);
    const balanced = new LogisticRegression({ multiClass: 'ovr', C, classWeight: 'balanced' }).fit(data.x, data.y);
    expect(byObject.scheme).toBe('ovr');
    [1, 4, 6].forEach((label, c) => {
      const target = data.y.map((l) => (l === label ? 1 : 0));
      const ref = weightedLogisticNewton(data.x, target, data.y.map((l) => weight[l as 1 | 4 | 6]), C);
      expect(maxDiff(byObject.coef[c] as number[], ref.w)).toBeLessThan(1e-3);
      expect(Math.abs((byObject.intercept[c] as number) - ref.b)).toBeLessThan(1e-3);
      const count = target.filter((t) => t === 1).length;
      const v = target.map((t) => (t === 1 ? n / (2 * count) : n / (2 * (n - count))));
      const refB = weightedLogisticNewton(data.x, target, v, C);
      expect(maxDiff(balanced.coef[c] as number[], refB.w)).toBeLessThan(1e-3);
      expect(Math.abs((balanced.intercept[c] as number) - refB.b)).toBeLessThan(1e-3);
    });
    // …which is not the balanced object over the three classes.
    const overClasses = new LogisticRegression({ multiClass: 'ovr', C, classWeight: balancedObject(data.y) }).fit(data.x, data.y);
    expect(maxDiff(flat(overClasses), flat(balanced))).toBeGreaterThan(1e-2);
    [byObject, balanced, overClasses].forEach((m) => m.dispose());
  });

  it("'balanced' equals the explicit object of balanced weights (binary, multinomial, L1)", () => {
    const two = classData(3, 200, 3, [-2, 7], [0.8, 0.2]);
    const three = classData(4, 210, 3, [0, 1, 2], [0.6, 0.3, 0.1]);
    const cases: Array<[fg.LogisticRegressionOptions, Data]> = [
      [{}, two],
      [{}, three],
      [{ multiClass: 'multinomial' }, two],
      [{ penalty: 'l1', C: 0.3 }, three],
    ];
    for (const [options, data] of cases) {
      const a = new LogisticRegression({ ...options, classWeight: 'balanced' }).fit(data.x, data.y);
      const b = new LogisticRegression({ ...options, classWeight: balancedObject(data.y) }).fit(data.x, data.y);
      expect(maxDiff(flat(a), flat(b))).toBeLessThan(1e-9);
      a.dispose();
      b.dispose();
    }
  });

  it('integer weights equal duplicated rows (binary L2, binary L1, multinomial, no penalty)', () => {
    const two = classData(5, 150, 3, [0, 1], [0.75, 0.25]);
    const three = classData(6, 150, 3, [3, 5, 8]);
    const cases: Array<[fg.LogisticRegressionOptions, Data, Record<number, number>]> = [
      [{ C: 2 }, two, { 0: 1, 1: 2 }],
      [{ penalty: 'l1', C: 0.2 }, two, { 0: 3, 1: 1 }],
      [{ C: 0.5 }, three, { 3: 2, 5: 1, 8: 3 }],
      [{ penalty: 'none', tol: 1e-8 }, three, { 3: 1, 5: 2, 8: 1 }],
    ];
    for (const [options, data, weight] of cases) {
      const weighted = new LogisticRegression({ ...options, classWeight: weight }).fit(data.x, data.y);
      const dup = duplicate(data, weight);
      const repeated = new LogisticRegression(options).fit(dup.x, dup.y);
      expect(maxDiff(flat(weighted), flat(repeated))).toBeLessThan(1e-4);
      weighted.dispose();
      repeated.dispose();
    }
  });

  it('weighted fits leak no memory', () => {
    const data = classData(7, 60, 3, [0, 1, 2]);
    expectNoMemoryGrowth(() => {
      new LogisticRegression({ classWeight: 'balanced' }).fit(data.x, data.y).dispose();
      new LinearSVM({ classWeight: { 0: 1, 1: 2, 2: 3 } }).fit(data.x, data.y).dispose();
    });
  });
});

describe('classWeight — LinearSVM', () => {
  it('integer weights equal duplicated rows (hinge and squared hinge, binary)', () => {
    const data = classData(8, 120, 3, [0, 1], [0.7, 0.3]);
    for (const loss of ['hinge', 'squaredHinge'] as const) {
      for (const [C, weight] of [
        [0.5, { 0: 1, 1: 2 }],
        [3, { 0: 2, 1: 3 }],
      ] as Array<[number, Record<number, number>]>) {
        const weighted = new LinearSVM({ loss, C, classWeight: weight }).fit(data.x, data.y);
        const dup = duplicate(data, weight);
        const repeated = new LinearSVM({ loss, C, tol: 1e-10 }).fit(dup.x, dup.y);
        expect(weighted.converged).toBe(true);
        expect(maxDiff(flat(weighted), flat(repeated)), `${loss}, C = ${C}`).toBeLessThan(1e-5);
        weighted.dispose();
        repeated.dispose();
      }
    }
  });

  it("'balanced' equals the explicit object of balanced weights (hinge, squared hinge; binary and 3 classes)", () => {
    const two = classData(9, 150, 3, [0, 1], [0.85, 0.15]);
    const three = classData(10, 150, 3, [2, 4, 6], [0.5, 0.3, 0.2]);
    for (const loss of ['hinge', 'squaredHinge'] as const) {
      for (const data of [two, three]) {
        const a = new LinearSVM({ loss, classWeight: 'balanced' }).fit(data.x, data.y);
        const b = new LinearSVM({ loss, classWeight: balancedObject(data.y) }).fit(data.x, data.y);
        expect(maxDiff(flat(a), flat(b))).toBeLessThan(1e-9);
        a.dispose();
        b.dispose();
      }
    }
  });

  it('one-vs-rest (liblinear): the problem of class c weighs c by its weight and the rest by 1', () => {
    const data = classData(11, 150, 3, [0, 1, 2], [0.5, 0.3, 0.2]);
    const weight = { 0: 1, 1: 1, 2: 5 };
    for (const loss of ['hinge', 'squaredHinge'] as const) {
      const weighted = new LinearSVM({ loss, classWeight: weight }).fit(data.x, data.y);
      const plain = new LinearSVM({ loss }).fit(data.x, data.y);
      // Classes 0 and 1 weigh 1, so their problems (class 2 among the rest, at weight 1) are unchanged.
      for (const c of [0, 1]) {
        expect(maxDiff(weighted.coef[c] as number[], plain.coef[c] as number[])).toBeLessThan(1e-9);
        expect(Math.abs((weighted.intercept[c] as number) - (plain.intercept[c] as number))).toBeLessThan(1e-9);
      }
      // Class 2's problem is the binary one with class 2 at weight 5 and the rest at 1.
      const binary = new LinearSVM({ loss, classWeight: { 0: 1, 1: 5 } }).fit(
        data.x,
        data.y.map((l) => (l === 2 ? 1 : 0)),
      );
      expect(maxDiff(weighted.coef[2] as number[], binary.coef[0] as number[])).toBeLessThan(1e-9);
      expect(Math.abs((weighted.intercept[2] as number) - (binary.intercept[0] as number))).toBeLessThan(1e-9);
      expect(maxDiff(weighted.coef[2] as number[], plain.coef[2] as number[])).toBeGreaterThan(1e-3);
      [weighted, plain, binary].forEach((m) => m.dispose());
    }
  });
});

describe('classWeight — imbalanced problem', () => {
  it("'balanced' raises the recall of a 10% minority class (both models)", () => {
    const data = classData(12, 600, 4, [0, 1], [0.9, 0.1]);
    const positives = data.y.filter((v) => v === 1).length;
    expect(positives / data.y.length).toBeGreaterThan(0.06);
    expect(positives / data.y.length).toBeLessThan(0.14);
    const make: Array<(cw: 'balanced' | null) => fg.LogisticRegression | fg.LinearSVM> = [
      (classWeight) => new LogisticRegression({ classWeight }),
      (classWeight) => new LinearSVM({ classWeight }),
      (classWeight) => new LinearSVM({ loss: 'hinge', classWeight }),
    ];
    for (const build of make) {
      const plain = build(null).fit(data.x, data.y);
      const balanced = build('balanced').fit(data.x, data.y);
      const before = recall(plain, data, 1);
      const after = recall(balanced, data, 1);
      expect(after).toBeGreaterThan(before + 0.1);
      expect(after).toBeGreaterThan(0.7);
      plain.dispose();
      balanced.dispose();
    }
  });
});

describe('classWeight — errors', () => {
  const data = classData(13, 40, 2, [0, 1, 2]);
  const models = [
    ['LogisticRegression', (classWeight: unknown) => new LogisticRegression({ classWeight: classWeight as fg.LogisticRegressionOptions["classWeight"] })],
    ['LinearSVM', (classWeight: unknown) => new LinearSVM({ classWeight: classWeight as fg.LogisticRegressionOptions["classWeight"] })],
  ] as const;

  it('bad weights or keys fail at construction, naming the model and the class', () => {
    for (const [name, build] of models) {
      const cases: Array<[unknown, RegExp]> = [
        [{ 0: 1, 1: -2, 2: 1 }, new RegExp(`^${name}: classWeight for class 1 must be a positive finite number, got -2`)],
        [{ 0: 0, 1: 1 }, new RegExp(`^${name}: classWeight for class 0 must be a positive finite number, got 0`)],
        [{ 0: 1, 5: Number.NaN }, new RegExp(`^${name}: classWeight for class 5 must be a positive finite number, got NaN`)],
        [{ 0: 1, 1: '2' }, new RegExp(`^${name}: classWeight for class 1 must be a positive finite number, got '2'`)],
        [{ 0: 1, abc: 2 }, new RegExp(`^${name}: classWeight key 'abc' is not an integer class label`)],
        [{ 0: 1, 1.5: 2 }, new RegExp(`^${name}: classWeight key '1.5' is not an integer class label`)],
        ['auto', new RegExp(`^${name}: classWeight must be 'balanced', null, or an object`)],
        [[1, 2], new RegExp(`^${name}: classWeight must be 'balanced', null, or an object`)],
        [{}, new RegExp(`^${name}: classWeight is an empty object`)],
      ];
      for (const [value, message] of cases) {
        expect(() => build(value), JSON.stringify(value)).toThrow(ValueError);
        expect(() => build(value), JSON.stringify(value)).toThrow(message);
      }
    }
  });

  it('a missing class or an unknown label fails at fit, naming the model and the class', () => {
    for (const [name, build] of models) {
      const missing = build({ 0: 1, 2: 3 });
      expect(() => missing.fit(data.x, data.y)).toThrow(ValueError);
      expect(() => missing.fit(data.x, data.y)).toThrow(new RegExp(`^${name}\\.fit: classWeight has no weight for class 1 \\(labels of y: 0, 1, 2\\)`));
      expect(missing.isFitted).toBe(false);
      const unknown = build({ 0: 1, 1: 1, 2: 1, 9: 4 });
      expect(() => unknown.fit(data.x, data.y)).toThrow(ValueError);
      expect(() => unknown.fit(data.x, data.y)).toThrow(new RegExp(`^${name}\\.fit: classWeight names class 9, which is not a label of y \\(labels: 0, 1, 2\\)`));
    }
  });
});

describe('classWeight — save/load', () => {
  it('config() and saveModel/loadModel keep classWeight exactly; refitting the loaded model gives the same fit', () => {
    const data = classData(14, 90, 3, [-1, 3, 10], [0.6, 0.3, 0.1]);
    const weight = { '-1': 0.1 + 0.2, 3: 1 / 3, 10: 7.25 };
    const models: Array<fg.LogisticRegression | fg.LinearSVM> = [
      new LogisticRegression({ classWeight: weight }),
      new LogisticRegression({ multiClass: 'ovr', classWeight: 'balanced' }),
      new LinearSVM({ classWeight: weight }),
      new LinearSVM({ loss: 'hinge', classWeight: 'balanced' }),
      new LinearSVM(),
    ];
    for (const model of models) {
      model.fit(data.x, data.y);
      const config = model.config();
      expect(config.options.classWeight).toEqual(model.classWeight);
      // JSON round trip of the config: the option reads back identical.
      const json = JSON.parse(JSON.stringify(config)) as typeof config;
      expect(json.options.classWeight).toEqual(config.options.classWeight);
      const loaded = loadModel<fg.LogisticRegression | fg.LinearSVM>(saveModel(model));
      expect(loaded.config()).toEqual(config);
      expect(loaded.classWeight).toEqual(model.classWeight);
      expect(loaded.coef).toEqual(model.coef);
      loaded.fit(data.x, data.y);
      expect(loaded.coef).toEqual(model.coef);
      expect(loaded.intercept).toEqual(model.intercept);
      model.dispose();
      loaded.dispose();
    }
    // The weights are a copy: editing the object passed in changes nothing.
    const given: Record<number, number> = { 0: 1, 1: 2 };
    const model = new LogisticRegression({ classWeight: given });
    given[1] = 5;
    expect(model.classWeight).toEqual({ 0: 1, 1: 2 });
    expect(model.config().options.classWeight).toEqual({ 0: 1, 1: 2 });
  });
});
