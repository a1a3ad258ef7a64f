import { is, readArgs } from '../validate.js';
import { Optimizer } from './optimizer.js';

// (Optimizer's constructor is protected; instanceof does not care.)
const optimizerArg = is.instance(Optimizer as unknown as abstract new () => Optimizer, 'an optimizer (optim.SGD, optim.Adam, …)');

/**
 * A learning-rate schedule: call `step()` once per epoch (after the optimizer's steps), as with
 * torch.optim.lr_scheduler; the optimizer's `lr` is set from the epoch count.
 */
export abstract class LRScheduler {
  readonly optimizer: Optimizer;
  readonly baseLr: number;
  /** Epochs completed. */
  epoch = 0;

  protected constructor(where: string, optimizer: Optimizer) {
    this.optimizer = optimizerArg(optimizer, `${where}: optimizer`);
    this.baseLr = this.optimizer.lr;
  }

  /** The learning rate at `epoch`. */
  abstract lrAt(epoch: number): number;

  step(): void {
    this.epoch++;
    this.optimizer.lr = this.lrAt(this.epoch);
  }

  /** The learning rate in force now. */
  get lastLr(): number {
    return this.optimizer.lr;
  }
}

const STEP = { stepSize: is.int({ min: 1 }), gamma: is.number({ min: 0 }) };

/**
 * lr = base · γ^⌊epoch / stepSize⌋ (StepLR): `new optim.StepLR(opt, 10, 0.5)` or
 * `new optim.StepLR(opt, { stepSize: 10, gamma: 0.5 })`. Default γ = 0.1.
 */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;

  constructor(optimizer: Optimizer, options: { stepSize: number; gamma?: number });
  constructor(optimizer: Optimizer, stepSize: number, gamma?: number, options?: { gamma?: number });
  constructor(optimizer: Optimizer, ...args: unknown[]) {
    const where = 'optim.StepLR';
    super(where, optimizer);
    const o = readArgs(where, args, ['stepSize', 'gamma'], STEP);
    this.stepSize = STEP.stepSize(o.stepSize, `${where}: stepSize`);
    this.gamma = o.gamma ?? 0.1;
  }

  lrAt(epoch: number): number {
    return this.baseLr * this.gamma ** Math.floor(epoch / this.stepSize);
  }
}

const EXPONENTIAL = { gamma: is.number({ min: 0, minOpen: true }) };

/** lr = base · γ^epoch (ExponentialLR): `new optim.ExponentialLR(opt, 0.9)` or `(opt, { gamma: 0.9 })`. */
export class ExponentialLR extends LRScheduler {
  readonly gamma: number;

  constructor(optimizer: Optimizer, options: { gamma: number });
  constructor(optimizer: Optimizer, gamma: number);
  constructor(optimizer: Optimizer, ...args: unknown[]) {
    const where = 'optim.ExponentialLR';
    super(where, optimizer);
    const o = readArgs(where, args, ['gamma'], EXPONENTIAL);
    this.gamma = EXPONENTIAL.gamma(o.gamma, `${where}: gamma`);
  }

  lrAt(epoch: number): number {
    return this.baseLr * this.gamma ** epoch;
  }
}

const COSINE = { tMax: is.number({ min: 0, minOpen: true }), etaMin: is.number({ min: 0 }) };

/**
 * lr = ηmin + (base − ηmin)(1 + cos(π·epoch/Tmax))/2 (CosineAnnealingLR, closed form):
 * `new optim.CosineAnnealingLR(opt, 50, 1e-5)` or `(opt, { tMax: 50, etaMin: 1e-5 })`.
 */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;

  constructor(optimizer: Optimizer, options: { tMax: number; etaMin?: number });
  constructor(optimizer: Optimizer, tMax: number, etaMin?: number, options?: { etaMin?: number });
  constructor(optimizer: Optimizer, ...args: unknown[]) {
    const where = 'optim.CosineAnnealingLR';
    super(where, optimizer);
    const o = readArgs(where, args, ['tMax', 'etaMin'], COSINE);
    this.tMax = COSINE.tMax(o.tMax, `${where}: tMax`);
    this.etaMin = o.etaMin ?? 0;
  }

  lrAt(epoch: number): number {
    return this.etaMin + ((this.baseLr - this.etaMin) * (1 + Math.cos((Math.PI * epoch) / this.tMax))) / 2;
  }
}
