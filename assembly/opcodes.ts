// Op codes that TypeScript passes to the kernels, one enum per kernel family, defined here only.
// scripts/build-wasm.mjs reads them from the compiled module (asc's typings name the members, the
// exported globals hold their values) and writes src/backend/generated/opcodes.ts; the op tables
// in src/ are keyed by those enums, so a member added here without its rule fails to compile.

/** unary_f32 / unary_grad_f32 (unary.ts); p1, p2 are the op's parameters. */
export enum UnaryOp {
  Exp,
  Log,
  Sqrt,
  Abs,
  Tanh,
  Sigmoid,
  Relu,
  /** p1 = negative slope */
  LeakyRelu,
  /** p1 = beta, p2 = threshold */
  Softplus,
  /** p1 = min, p2 = max (±Infinity when absent) */
  Clamp,
  /** p1 = exponent */
  Pow,
  Square,
  Rsqrt,
}

/** binary_f32 (binary.ts). Comparisons give 1.0 where true, 0.0 where false. */
export enum BinaryOp { Add, Sub, Mul, Div, Max, Min, Eq, Ne, Lt, Le, Gt, Ge }

/** reduce_f32 (reduce.ts). */
export enum ReduceOp { Sum, Max, Min }

/** argmax_f32 (argmax.ts). */
export enum ArgOp { Max, Min }

/** softmax_f32 / softmax_backward_f32 (softmax.ts). */
export enum SoftmaxMode { Softmax, LogSoftmax }

/** The epilogue of gemm_bias_act_f32 / bias_act_f32 (gemm.ts); alpha is the leaky slope. */
export enum Activation { None, Relu, LeakyRelu, Tanh, Sigmoid }

/** pointwise_loss_f32 / pointwise_loss_grad_f32 (losses.ts); param: Huber's delta or the hinge margin. */
export enum PointwiseLoss {
  Mse,
  L1,
  Huber,
  Hinge,
  /** x = mu, t = logvar: the per-element term of KL(N(mu, exp(logvar)) || N(0, 1)). */
  KlNormal,
}

/** The Elman cell's nonlinearity (recurrent.ts). */
export enum RnnNonlinearity { Tanh, Relu }

/** conv_tasks_f32 step op codes (conv-direct.ts); the arguments each reads are listed there. */
export enum ConvStep { Window = 1, Direct = 2, Dw = 3, Scatter = 4 }

/** A conv_tasks_f32 step record, counted in i32: its length, and where the geom starts in it. */
export enum ConvStepLayout { Ints = 24, Geom = 12 }
/**
 * gemm_tasks_f32's record (gemm.ts), counted in i32: its length; Packed is the index of the
 * field that points at B packed whole by gemm_pack_b_tasks_f32 (0: each call packs its own).
 */
export enum GemmTaskLayout { Ints = 13, Packed = 12 }
/** gemm_pack_b_tasks_f32's record (gemm.ts): n, k, b, rsB, csB, dst, j0, j1. */
export enum GemmPackLayout { Ints = 8 }
/** GEMM's register tile (gemm.ts): MR rows × NR columns; thread cuts fall on multiples of them. */
export enum GemmTile { MR = 4, NR = 8 }
