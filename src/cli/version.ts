// The package's version, from the first package.json named fingrad above this module: the same
// answer from src/cli/, dist/cli/ and the bundled dist/node/ (where this code sits in a chunk).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FingradError } from '../errors.js';

function packageVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'fingrad' && typeof pkg.version === 'string') return pkg.version;
    }
    if (dirname(dir) === dir) throw new FingradError(`fingrad: no package.json of fingrad above ${fileURLToPath(import.meta.url)}`);
  }
}

export const VERSION = packageVersion();
