// Optimizers and learning-rate schedules (import as `optim` from 'fingrad').
export { Optimizer } from './optimizer.js';
export { SGD, type SGDOptions } from './sgd.js';
export { Adam, AdamW, type AdamOptions } from './adam.js';
export { RMSprop, type RMSpropOptions } from './rmsprop.js';
export { clipGradNorm, type ClipGradNormOptions } from './clip.js';
export { LRScheduler, StepLR, ExponentialLR, CosineAnnealingLR } from './schedulers.js';
