// One variant of bench/runtimes.ts: loads the build FINGRAD_BUILD names (simd | relaxed), runs
// bench/matmul.ts's thread suite on the given sizes and prints {"build", "ratios"} (2t/1t per size).
import * as fg from '../../src/index.js';
import { benchMatmulThreads } from '../matmul.js';

const [sizesArg = '256,512', timeArg = '400'] = process.argv.slice(2);
const info = await fg.ready({ relaxedSimd: process.env.FINGRAD_BUILD === 'relaxed' });
if (await fg.setNumThreads(2) !== 2) throw new Error('no second thread: this runtime has no shared memory');
const shapes = sizesArg.split(',').map((s): [number, number, number] => [Number(s), Number(s), Number(s)]);
const rows = await benchMatmulThreads(shapes, [1, 2], Number(timeArg));
console.log(JSON.stringify({ build: info.build, ratios: rows.map((r) => (r.gflops[2] ?? NaN) / (r.gflops[1] ?? NaN)) }));
