// What the types promise is what exists: every Tensor method is declared in the class, so it is
// there whichever module a program imports first (issue #12: importing dist/optim/sgd.js alone
// and calling zeroGrad() used to fail with "p.zeroGrad is not a function"). Runs against the
// built package (dist/, made by `npm test`), each case in a fresh process.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = (path: string): string => pathToFileURL(join(root, 'dist', path)).href;

/** Runs an ES module body in a fresh node and returns its stdout. */
function run(body: string): string {
  return execFileSync(process.execPath, ['--input-type=module', '-e', body], { encoding: 'utf8' }).trim();
}

/** The instance members of Tensor as the published types (all of dist/index.d.ts) declare them. */
function declaredMembers(): string[] {
  const program = ts.createProgram([join(root, 'dist', 'index.d.ts')], { noEmit: true, skipLibCheck: true });
  const checker = program.getTypeChecker();
  const file = program.getSourceFile(join(root, 'dist', 'tensor', 'tensor.d.ts'));
  const decl = file?.statements.find((s): s is ts.ClassDeclaration => ts.isClassDeclaration(s) && s.name?.text === 'Tensor');
  if (decl === undefined || decl.name === undefined) throw new Error('class Tensor not found in dist/tensor/tensor.d.ts');
  const type = checker.getDeclaredTypeOfSymbol(checker.getSymbolAtLocation(decl.name) as ts.Symbol);
  return checker.getPropertiesOfType(type).map((p) => p.name);
}

describe('Tensor methods live in the class', () => {
  it('dist/optim/sgd.js imported alone: a parameter zeroGrad()s through the optimizer', () => {
    const out = run(`
      const { ready } = await import('${dist('backend/wasm.js')}');
      const { SGD } = await import('${dist('optim/sgd.js')}');
      const { tensor } = await import('${dist('tensor/creation.js')}');
      await ready();
      const p = tensor([1, 2, 3], { requiresGrad: true });
      p.mul(p).sum().backward();
      const before = p.grad === null ? 'none' : Array.from(p.grad.data).join(',');
      const opt = new SGD([p], { lr: 0.1 });
      opt.zeroGrad();
      console.log(before + ' ' + (p.grad === null));
    `);
    expect(out).toBe('2,4,6 true');
  });

  it('every member the types declare on Tensor exists when only dist/tensor/tensor.js is loaded', () => {
    const declared = declaredMembers();
    expect(declared).toEqual(expect.arrayContaining(['zeroGrad', 'backward', 'add', 'max', 'T', 'conv2d', 'layerNorm', 'argmax']));
    const out = run(`
      const { ready } = await import('${dist('backend/wasm.js')}');
      const { Tensor } = await import('${dist('tensor/tensor.js')}');
      await ready();
      const t = Tensor.empty([2, 2]);
      const names = ${JSON.stringify(declared)};
      console.log(JSON.stringify(names.filter((n) => !(n in t))));
      console.log(t.T.shape.join(',') + ' ' + typeof t.zeroGrad);
    `).split('\n');
    expect(JSON.parse(out[0] as string)).toEqual([]);
    expect(out[1]).toBe('2,2 function');
  });
});
