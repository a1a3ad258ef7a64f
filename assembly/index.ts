// Entry of the kernel module: every kernel file is re-exported here.
// Kernels take pointers into the imported linear memory and never allocate.
export * from './heap';
export * from './memory';
export * from './random';
export * from './binary';
export * from './reduce';
export * from './gemm';
export * from './strided';
export * from './im2col';
export * from './pool';
export * from './softmax';
export * from './argmax';
export * from './losses';
export * from './optim';
export * from './unary';
export * from './where';
export * from './norm';
export * from './recurrent';
export * from './peak';
export * from './conv-direct';
export * from './opcodes';
