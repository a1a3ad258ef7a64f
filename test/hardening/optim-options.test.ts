// Optimizers, schedulers and clipGradNorm check their arguments by one table each: unknown
// options name the closest valid one, wrong types name the class and the parameter, and the
// parameter list must be tensors (a model is pointed to its parameters()).
import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import { ArgumentError, UnknownOptionError, ValueError, nn, optim } from '../../src/index.js';

function expectError(run: () => unknown, type: abstract new (...args: never[]) => Error, message: string | RegExp): void {
  expect(run).toThrow(type);
  expect(run).toThrow(message);
}

const param = (): fg.Tensor => fg.keep(fg.ones([2], { requiresGrad: true }));

describe('optimizers', () => {
  it.each<[string, (ps: fg.Tensor[]) => unknown, string, string]>([
    ['SGD', (ps) => new optim.SGD(ps, { momentun: 0.9 } as never), 'momentun', 'momentum'],
    ['SGD', (ps) => new optim.SGD(ps, { weight_decay: 0.1 } as never), 'weight_decay', 'weightDecay'],
    ['SGD', (ps) => new optim.SGD(ps, 0.1, { nestrov: true } as never), 'nestrov', 'nesterov'],
    ['Adam', (ps) => new optim.Adam(ps, { beta: [0.9, 0.99] } as never), 'beta', 'betas'],
    ['AdamW', (ps) => new optim.AdamW(ps, { weight_decay: 0 } as never), 'weight_decay', 'weightDecay'],
    ['RMSprop', (ps) => new optim.RMSprop(ps, { alhpa: 0.9 } as never), 'alhpa', 'alpha'],
  ])('%s: unknown option', (name, make, key, hint) => {
    const p = param();
    expectError(() => make([p]), UnknownOptionError, `optim.${name}: unknown option '${key}' (did you mean '${hint}'?)`);
    p.dispose();
  });

  it.each<[(ps: fg.Tensor[]) => unknown, string]>([
    [(ps) => new optim.SGD(ps, '0.1' as never), 'optim.SGD: lr must be a finite number >= 0, got string "0.1"'],
    [(ps) => new optim.SGD(ps, NaN), 'optim.SGD: lr must be a finite number >= 0, got NaN'],
    [(ps) => new optim.SGD(ps, 0.1, -0.9), 'optim.SGD: momentum must be a finite number >= 0, got number -0.9'],
    [(ps) => new optim.SGD(ps, 0.1, 0.9, 0, 0, 'yes' as never), 'optim.SGD: nesterov must be a boolean'],
    [(ps) => new optim.SGD(ps, { nesterov: true }), 'optim.SGD: Nesterov momentum requires a momentum and zero dampening'],
    [(ps) => new optim.Adam(ps, 1e-3, [0.9] as never), 'optim.Adam: betas must be a list of 2 items, got array of length 1'],
    [(ps) => new optim.Adam(ps, 1e-3, [0.9, 1]), 'optim.Adam: betas[1] must be a finite number in [0, 1), got number 1'],
    [(ps) => new optim.Adam(ps, { eps: -1 }), 'optim.Adam: eps must be a finite number >= 0, got number -1'],
    [(ps) => new optim.Adam(ps, 1e-3, [0.9, 0.999], 1e-8, 0, true), 'optim.Adam: amsgrad = true is not supported'],
    [(ps) => new optim.AdamW(ps, { weightDecay: Infinity }), 'optim.AdamW: weightDecay must be a finite number >= 0, got number Infinity'],
    [(ps) => new optim.RMSprop(ps, 0.01, 1.5), 'optim.RMSprop: alpha must be a finite number in [0, 1], got number 1.5'],
    [(ps) => new optim.RMSprop(ps, 0.01, 0.99, 1e-8, 0, 0, 1 as never), 'optim.RMSprop: centered must be a boolean'],
    [(ps) => new optim.SGD(ps, 0.1, 0, 0, 0, false, 1 as never), 'optim.SGD: takes at most 5 optional positional arguments'],
  ])('%#: %s', (make, message) => {
    const p = param();
    expectError(() => make([p]), ArgumentError, message);
    p.dispose();
  });

  it('params must be an iterable of tensors; a model is pointed to parameters()', () => {
    const model = new nn.Linear(2, 1);
    expectError(() => new optim.SGD(model as never, 0.1), ArgumentError, 'optim.SGD: params must be an iterable of tensors, got Linear instance; pass model.parameters()');
    expectError(() => new optim.Adam(null as never), ArgumentError, 'optim.Adam: params must be an iterable of tensors (model.parameters()), got null');
    expectError(() => new optim.Adam(3 as never), ArgumentError, 'got number 3');
    expectError(() => new optim.RMSprop([model.weight, 'w'] as never), ArgumentError, 'optim.RMSprop: params[1] must be a Tensor, got string "w"');
    expect(() => new optim.SGD([], 0.1)).toThrow(/optim\.SGD: got an empty parameter list/);
    // the estimators' name for the learning rate points to PyTorch's
    expectError(() => new optim.SGD(model.parameters(), { learningRate: 0.1 } as never), UnknownOptionError, "optim.SGD: unknown option 'learningRate' (did you mean 'lr'?)");
    const gone = fg.ones([1], { requiresGrad: true });
    gone.dispose();
    expect(() => new optim.SGD([gone], 0.1)).toThrow(fg.DisposedError);
    const sgd = new optim.SGD(model.parameters(), 0.1);
    expect(sgd.params.length).toBe(2);
    model.dispose();
  });
});

describe('schedulers', () => {
  it('check the optimizer, their required arguments and their options', () => {
    const p = param();
    const opt = new optim.SGD([p], 0.1);
    expectError(() => new optim.StepLR(opt, { step_size: 2 } as never), UnknownOptionError, "optim.StepLR: unknown option 'step_size' (did you mean 'stepSize'?)");
    expectError(() => new optim.StepLR(opt, {} as never), ArgumentError, 'optim.StepLR: stepSize must be an integer >= 1, got undefined');
    expectError(() => new optim.StepLR(opt, 0), ArgumentError, 'optim.StepLR: stepSize must be an integer >= 1, got number 0');
    expectError(() => new optim.StepLR(opt, 2, -1), ArgumentError, 'optim.StepLR: gamma must be a finite number >= 0, got number -1');
    expectError(() => new optim.ExponentialLR(opt, 0), ArgumentError, 'optim.ExponentialLR: gamma must be a finite number > 0, got number 0');
    expectError(() => new optim.ExponentialLR(opt, { gama: 0.9 } as never), UnknownOptionError, "(did you mean 'gamma'?)");
    expectError(() => new optim.CosineAnnealingLR(opt, { T_max: 10 } as never), UnknownOptionError, "optim.CosineAnnealingLR: unknown option 'T_max' (did you mean 'tMax'?)");
    expectError(() => new optim.CosineAnnealingLR(opt, 10, -1), ArgumentError, 'optim.CosineAnnealingLR: etaMin must be a finite number >= 0, got number -1');
    expectError(() => new optim.StepLR({ lr: 0.1 } as never, 2), ArgumentError, 'optim.StepLR: optimizer must be an optimizer (optim.SGD, optim.Adam, …), got object {lr}');
    expectError(() => new optim.ExponentialLR(null as never, 0.9), ArgumentError, 'optim.ExponentialLR: optimizer must be an optimizer');
    p.dispose();
  });
});

describe('clipGradNorm', () => {
  it('checks maxNorm, normType and the parameters', () => {
    const p = param();
    p.grad = fg.keep(fg.tensor([3, 4]));
    expectError(() => optim.clipGradNorm([p], 0), ArgumentError, 'clipGradNorm: maxNorm must be a finite number > 0, got number 0');
    expectError(() => optim.clipGradNorm([p], '1' as never), ArgumentError, 'clipGradNorm: maxNorm must be a finite number > 0, got string "1"');
    expectError(() => optim.clipGradNorm([p], 1, -2), ArgumentError, 'clipGradNorm: normType must be a number > 0, got number -2');
    expectError(() => optim.clipGradNorm([p], 1, { norm_type: 2 } as never), UnknownOptionError, "clipGradNorm: unknown option 'norm_type' (did you mean 'normType'?)");
    expectError(() => optim.clipGradNorm(p as never, 1), ArgumentError, 'clipGradNorm: params must be an iterable of tensors');
    expect(() => optim.clipGradNorm([p], NaN)).toThrow(ValueError);
    expect(p.grad.toFloat32Array()).toEqual(Float32Array.from([3, 4])); // no failed call touched the gradient
    p.dispose();
  });
});

describe('the learning rate a scheduler or a user sets', () => {
  it('is checked like the constructor’s lr', () => {
    const p = param();
    const opt = new optim.Adam([p], 0.1);
    opt.lr = 0.05;
    expect(opt.lr).toBe(0.05);
    expectError(() => (opt.lr = NaN), ArgumentError, 'optim.Adam: lr must be a finite number >= 0, got NaN');
    expectError(() => (opt.lr = '1' as never), ArgumentError, 'optim.Adam: lr must be a finite number >= 0, got string "1"');
    expect(opt.lr).toBe(0.05);
    opt.dispose();
    p.dispose();
  });
});
