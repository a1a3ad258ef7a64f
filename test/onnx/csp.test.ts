// fingrad/onnx may run in pages with a strict Content-Security-Policy (no 'unsafe-eval'): its
// browser bundle must not compile code at run time. protobufjs's reflection would (codegen uses
// `new Function`); src/onnx/proto.ts uses only its wire Writer. And the core entry point must
// not pull protobufjs in at all.
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

async function bundle(entry: string): Promise<{ code: string; inputs: string[] }> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
    // Minified: no comments, and a method named eval reads `eval(){`.
    minify: true,
    // Node built-ins the core reaches only behind runtime checks (threads, files) stay outside.
    external: ['node:*'],
  });
  return { code: result.outputFiles.map((f) => f.text).join('\n'), inputs: Object.keys(result.metafile.inputs) };
}

describe('fingrad/onnx in the browser', () => {
  it('bundles without eval or new Function', async () => {
    const { code, inputs } = await bundle('src/onnx/index.ts');
    expect(inputs.some((p) => p.includes('protobufjs/src/writer'))).toBe(true);
    expect(inputs.some((p) => p.includes('protobufjs/src/util/codegen') || p.includes('@protobufjs/codegen'))).toBe(false);
    // `new Function(…)`, `Function(…)`, and a call of the global eval (not `x.eval()`, Module's method).
    expect(code).not.toMatch(/(?<![.\w$])Function\s*(\(|\.apply|\.call)/);
    expect(code).not.toMatch(/(?<![.\w$])eval\s*\((?!\)\{)/);
    expect(code).toMatch(/\.eval\(\)/); // the check sees Module.eval, so it reads the code
    expect(code).toContain('LayerNormalization');
  }, 60_000);

  it('is not part of the core bundle', async () => {
    const { inputs } = await bundle('src/index.ts');
    expect(inputs.some((p) => p.includes('protobufjs'))).toBe(false);
    expect(inputs.some((p) => p.includes('src/onnx/'))).toBe(false);
  }, 60_000);
});
