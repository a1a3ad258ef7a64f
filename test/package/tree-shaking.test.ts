// A page that uses tensors, autograd, nn and optim must not download the ready-made models:
// their modules declare classes and nothing else at load (the kinds loadModel rebuilds are a
// table, src/models/kinds.ts), so a bundler drops them. Bundled with esbuild as bench/bytes.ts
// does (minified, code splitting); counted from its metafile.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Minified bytes each src/ folder contributes to the page's own chunks (the kernel fallbacks left out). */
async function bytesByFolder(contents: string): Promise<Record<string, number>> {
  const result = await build({
    absWorkingDir: ROOT,
    stdin: { contents, resolveDir: ROOT, sourcefile: 'page.ts', loader: 'ts' },
    bundle: true, splitting: true, format: 'esm', platform: 'browser', target: 'es2022', minify: true,
    outdir: 'out', write: false, metafile: true, logLevel: 'error',
  });
  const folders: Record<string, number> = {};
  for (const output of Object.values(result.metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const m = /^src\/([^/]+)\//.exec(input);
      if (m === null || m[1] === 'backend' && /generated\/wasm-bytes/.test(input)) continue;
      folders[m[1] as string] = (folders[m[1] as string] ?? 0) + bytesInOutput;
    }
  }
  return folders;
}

describe('tree-shaking', () => {
  it('leaves the ready-made models out of a page that trains an nn module', async () => {
    const page = await bytesByFolder(`
      import * as fg from './src/index.js';
      await fg.ready();
      const model = new fg.nn.Sequential(new fg.nn.Linear(4, 16), new fg.nn.ReLU(), new fg.nn.Linear(16, 1));
      const opt = new fg.optim.Adam(model.parameters(), { lr: 0.05 });
      const x = fg.randn([8, 4]);
      fg.mseLoss(model.forward(x), x.sum(1, { keepdim: true })).backward();
      opt.step();
    `);
    expect(page.nn).toBeGreaterThan(10_000);
    // Was 65,766 bytes while each model registered its kind at import.
    expect(page.models ?? 0).toBeLessThan(6_000);
  });

  it('brings them in with loadModel, which rebuilds any of them', async () => {
    const page = await bytesByFolder(`
      import * as fg from './src/index.js';
      await fg.ready();
      const model = fg.loadModel(new Uint8Array(await (await fetch('model.safetensors')).arrayBuffer()));
      console.log(model);
    `);
    expect(page.models).toBeGreaterThan(40_000);
  });
});
