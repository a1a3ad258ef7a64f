// The checkpoint functions read their options through the argument contract (src/validate.ts):
// a misspelt key names the closest valid one, a wrong type names the function and parameter.
import { describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import { ArgumentError, UnknownOptionError } from '../../src/index.js';

function expectError(run: () => unknown, type: abstract new (...args: never[]) => Error, message: string | RegExp): void {
  expect(run).toThrow(type);
  expect(run).toThrow(message);
}

describe('checkpoint options', () => {
  it('saveModel', () => {
    const m = new fg.nn.Linear(2, 1);
    expectError(() => fg.saveModel(m, { metdata: {} } as never), UnknownOptionError, "saveModel: unknown option 'metdata' (did you mean 'metadata'?)");
    expectError(() => fg.saveModel(m, { config: { kind: 'x' }, metadata: 'run 7' } as never), ArgumentError, 'saveModel: metadata must be an object of string values, got string "run 7"');
    m.dispose();
  });

  it('loadWeights', () => {
    const m = new fg.nn.Linear(2, 1);
    const bytes = fg.encodeSafetensors(m.stateDict());
    expectError(() => fg.loadWeights(m, bytes, { strict: 'no' } as never), ArgumentError, 'loadWeights: strict must be a boolean (true or false), got string "no"');
    expectError(() => fg.loadWeights(m, bytes, { stict: false } as never), UnknownOptionError, "loadWeights: unknown option 'stict' (did you mean 'strict'?)");
    fg.loadWeights(m, bytes, { strict: false });
    m.dispose();
  });

  it('registerModel', () => {
    const factory = (): fg.nn.Module => new fg.nn.Linear(1, 1);
    expectError(() => fg.registerModel('options-test', factory, { replce: true } as never), UnknownOptionError, "registerModel: unknown option 'replce' (did you mean 'replace'?)");
    expectError(() => fg.registerModel('options-test', factory, { replace: 1 } as never), ArgumentError, 'registerModel: replace must be a boolean (true or false), got number 1');
    expect(fg.registeredModels()).not.toContain('options-test');
  });
});
