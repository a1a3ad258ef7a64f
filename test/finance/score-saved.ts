// Child process of credit-data.test.ts: loads a saved pipeline in a fresh Node process (fresh
// module state, fresh WASM memory) and prints its probabilities for rows given as JSON.
// Usage: node --import tsx test/finance/score-saved.ts <pipeline.safetensors> <rows.json> <types.json>
import { readFileSync } from 'node:fs';
import { Table, loadPipelineFile } from '../../src/finance/index.js';
import { ready } from '../../src/index.js';

const [pipelinePath, rowsPath, typesPath] = process.argv.slice(2) as [string, string, string];
await ready();
const p = await loadPipelineFile(pipelinePath);
const rows = JSON.parse(readFileSync(rowsPath, 'utf8')) as Record<string, number | string | null>[];
const types = JSON.parse(readFileSync(typesPath, 'utf8')) as Record<string, 'numeric' | 'categorical' | 'boolean'>;
const proba = p.predictProba(Table.fromRows(rows, { types }));
process.stdout.write(JSON.stringify({ classes: p.classes, proba }));
