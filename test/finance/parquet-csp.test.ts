// fingrad/finance may load in pages with a strict Content-Security-Policy (no 'unsafe-eval'):
// with hyparquet in it (readParquetChunks), the browser bundle must still compile no code at run
// time, and the tensor core must not pull hyparquet in.
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

async function bundle(entry: string): Promise<{ code: string; inputs: string[] }> {
  const result = await build({ entryPoints: [entry], bundle: true, platform: 'browser', format: 'esm', write: false, metafile: true, logLevel: 'silent', minify: true, external: ['node:*'] });
  return { code: result.outputFiles.map((f) => f.text).join('\n'), inputs: Object.keys(result.metafile.inputs) };
}

describe('fingrad/finance with hyparquet in the browser', () => {
  it('bundles hyparquet without eval or new Function', async () => {
    const { code, inputs } = await bundle('src/finance/index.ts');
    expect(inputs.some((p) => p.includes('hyparquet/src/read.js'))).toBe(true);
    expect(inputs.some((p) => p.includes('hyparquet/src/node.js'))).toBe(false);
    expect(code).not.toMatch(/(?<![.\w$])Function\s*(\(|\.apply|\.call)/);
    expect(code).not.toMatch(/(?<![.\w$])eval\s*\((?!\)\{)/);
    expect(code).toMatch(/\.eval\(\)/); // the check sees Module.eval, so it reads the code
    expect(code).toContain('PAR1');
  }, 60_000);

  it('is not part of the core bundle', async () => {
    const { inputs } = await bundle('src/index.ts');
    expect(inputs.some((p) => p.includes('hyparquet'))).toBe(false);
  }, 60_000);
});
