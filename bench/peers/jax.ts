// jax-js (@jax-js/jax, its Wasm device) as a peer: matmul, conv2d forward, an MLP training step
// (jit-compiled, with a hand-written Adam: jax-js's optimisers live in another package) and
// one-row inference. jax-js takes ownership of every array passed to a function, so arrays used
// again are passed as `.ref`; results are awaited with `blockUntilReady`, since jax-js dispatches
// lazily. Loaded on demand; null where it cannot start.
import type * as Jax from '@jax-js/jax';

export type JaxModule = typeof Jax;
type JArray = Jax.Array;

export async function loadJax(): Promise<JaxModule | null> {
  try {
    const jax = await import('@jax-js/jax');
    // Node has no navigator: ask for the Wasm device only (init() would probe WebGPU).
    await jax.init('wasm');
    jax.defaultDevice('wasm');
    return jax;
  } catch (e) {
    console.log(`jax-js unavailable: ${String(e)}`);
    return null;
  }
}

const randomArray = (jax: JaxModule, shape: number[], scale = 1): JArray =>
  jax.numpy.array(new Float32Array(shape.reduce((a, b) => a * b, 1)).map(() => (Math.random() - 0.5) * scale)).reshape(shape);

/** A runner of C = A·B on fresh operands of `size`², awaited. */
export function jaxMatmul(jax: JaxModule, m: number, k: number, n: number): { run: () => Promise<void>; dispose: () => void } {
  const a = randomArray(jax, [m, k]);
  const b = randomArray(jax, [k, n]);
  return {
    run: async () => {
      const c = jax.numpy.matmul(a.ref, b.ref);
      await c.blockUntilReady();
      c.dispose();
    },
    dispose: () => {
      a.dispose();
      b.dispose();
    },
  };
}

/** A runner of conv2d forward (NCHW, OIHW, stride 1, symmetric padding). */
export function jaxConv2d(jax: JaxModule, input: number[], weight: number[], padding: [number, number]): { run: () => Promise<void>; dispose: () => void } {
  const x = randomArray(jax, input);
  const w = randomArray(jax, weight, 0.2);
  const pad: Array<[number, number]> = [[padding[0], padding[0]], [padding[1], padding[1]]];
  return {
    run: async () => {
      const y = jax.lax.conv(x.ref, w.ref, [1, 1], pad);
      await y.blockUntilReady();
      y.dispose();
    },
    dispose: () => {
      x.dispose();
      w.dispose();
    },
  };
}

const LAYERS = ['w1', 'b1', 'w2', 'b2', 'w3', 'b3'] as const;
type Params = { [K in (typeof LAYERS)[number]]: JArray };

/**
 * The bench's MLP (sizes[0] → sizes[1] → sizes[2] → 1, ReLU, MSE) with Adam (lr 1e-3, β 0.9 /
 * 0.999, ε 1e-8): `step()` runs one jit-compiled training step on a fixed batch; `predict(row)`
 * one forward pass on one row.
 */
export function jaxMlp(jax: JaxModule, sizes: [number, number, number], batch: number): {
  step: () => Promise<number>;
  predict: (row: Float32Array) => Promise<Float32Array>;
  dispose: () => void;
} {
  const np = jax.numpy;
  const [d, h1, h2] = sizes;
  const shapes: Record<keyof Params, number[]> = { w1: [d, h1], b1: [h1], w2: [h1, h2], b2: [h2], w3: [h2, 1], b3: [1] };
  const init = (f: (shape: number[]) => JArray): Params => Object.fromEntries(LAYERS.map((key) => [key, f(shapes[key])])) as Params;
  let params = init((s) => randomArray(jax, s, s.length === 2 ? 2 / Math.sqrt(s[0] as number) : 0));
  let m = init((s) => np.zeros(s));
  let v = init((s) => np.zeros(s));
  const x = randomArray(jax, [batch, d]);
  const y = randomArray(jax, [batch, 1]);
  const forward = (p: Params, input: JArray): JArray => {
    const a1 = jax.nn.relu(np.matmul(input, p.w1).add(p.b1));
    const a2 = jax.nn.relu(np.matmul(a1, p.w2).add(p.b2));
    return np.matmul(a2, p.w3).add(p.b3);
  };
  const loss = (p: Params, input: JArray, target: JArray): JArray => np.mean(np.square(forward(p, input).sub(target)));
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];
  const refs = (p: Params): Params => Object.fromEntries(LAYERS.map((key) => [key, p[key].ref])) as Params;
  const step = jax.jit((p: Params, mt: Params, vt: Params, input: JArray, target: JArray, lrT: JArray) => {
    const [value, g] = jax.valueAndGrad(loss)(refs(p), input, target) as unknown as [JArray, Params];
    const next: Partial<Params> = {};
    const nm: Partial<Params> = {};
    const nv: Partial<Params> = {};
    for (const key of LAYERS) {
      const gk = g[key];
      const mk = mt[key].mul(b1).add(gk.ref.mul(1 - b1));
      const vk = vt[key].mul(b2).add(np.square(gk).mul(1 - b2));
      next[key] = p[key].sub(lrT.ref.mul(mk.ref).div(np.sqrt(vk.ref).add(eps)));
      nm[key] = mk;
      nv[key] = vk;
    }
    lrT.dispose();
    return [value, next as Params, nm as Params, nv as Params];
  });
  const predictJit = jax.jit((p: Params, row: JArray) => forward(p, row));
  let t = 0;
  return {
    step: async () => {
      t++;
      const lrT = np.array([1e-3 * Math.sqrt(1 - b2 ** t) / (1 - b1 ** t)]);
      const [value, p2, m2, v2] = step(params, m, v, x.ref, y.ref, lrT) as unknown as [JArray, Params, Params, Params];
      params = p2;
      m = m2;
      v = v2;
      return (await value.data())[0] as number;
    },
    predict: async (row: Float32Array) => {
      const out = predictJit(refs(params), np.array(row).reshape([1, d]));
      return (await out.data()) as Float32Array;
    },
    dispose: () => {
      for (const tree of [params, m, v]) for (const key of LAYERS) tree[key].dispose();
      x.dispose();
      y.dispose();
    },
  };
}
