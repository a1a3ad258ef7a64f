// One measured run of the streaming benchmark, in its own process so that the peak RSS
// (getrusage maxRSS) and the WASM heap belong to this run alone. Prints one JSON line.
//   tsx bench/streaming-child.ts <train|score|whole> <file.csv> <out-dir>
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import * as fg from '../src/index.js';
import { ColumnTransformer, OneHotEncoder, SimpleImputer, StandardScaler, type Transformer, partialFitSteps, readCsv, readCsvChunks, rowChunks } from '../src/finance/index.js';

const [mode, file, outDir] = process.argv.slice(2) as [string, string, string];
const NUMERIC = ['age', 'income', 'utilisation', 'latePayments', 'debtRatio', 'monthsAtAddress', 'coApplicant'];
const CATEGORICAL = ['employment', 'housing', 'purpose', 'region'];
const CHUNK = 65536;
const steps = (): Transformer[] => [
  new ColumnTransformer([['num', new StandardScaler(), NUMERIC], ['cat', new OneHotEncoder({ handleUnknown: 'ignore' }), CATEGORICAL]]),
  new SimpleImputer({ strategy: 'constant', fillValue: 0, addIndicator: true }),
];
const mlp = (width: number): fg.nn.Sequential => {
  const generator = new fg.Generator(0);
  return new fg.nn.Sequential(new fg.nn.Linear(width, 32, { generator }), new fg.nn.ReLU(), new fg.nn.Linear(32, 1, { generator }));
};
const chunks = (): ReturnType<typeof readCsvChunks> => readCsvChunks(file, { target: 'default', chunkRows: CHUNK, types: { coApplicant: 'boolean' } });

await fg.ready();
let peakHeap = 0;
const sampleHeap = (): void => void (peakHeap = Math.max(peakHeap, fg.memoryStats().heapBytes));
const t0 = performance.now();
let rows = 0;
const phases: Record<string, number> = {};

if (mode === 'train') {
  const prep = steps();
  rows = await partialFitSteps(prep, chunks);
  phases.statisticsSeconds = (performance.now() - t0) / 1000;
  const width = (prep[1] as Transformer).getFeatureNamesOut().length;
  const model = mlp(width);
  const t1 = performance.now();
  await fg.fitStream(model, new fg.DataLoader(rowChunks(chunks, prep, [0, 1]), { batchSize: 256, shuffle: true, bufferSize: 65536, seed: 0 }), {
    lossFn: fg.bceWithLogits,
    optimizer: new fg.optim.Adam(model.parameters(), { lr: 0.003 }),
    callbacks: [{ onBatchEnd: (b) => void (b % 256 === 0 && sampleHeap()) }],
  });
  phases.epochSeconds = (performance.now() - t1) / 1000;
} else if (mode === 'score') {
  // Scoring cost does not depend on the weights: the steps learn from the first chunk only, the model is freshly initialised.
  const prep = steps();
  for await (const c of chunks()) {
    (prep[1] as Transformer).fit((prep[0] as Transformer).fit(c.table).transform(c.table));
    break;
  }
  const width = (prep[1] as Transformer).getFeatureNamesOut().length;
  const model = mlp(width);
  const out = createWriteStream(join(outDir, 'scores.csv'));
  const write = (text: string): Promise<void> => new Promise((resolve) => (out.write(text) ? resolve() : out.once('drain', resolve)));
  const t1 = performance.now();
  await write('id,score\n');
  for await (const c of chunks()) {
    const x = fg.tensor(Float32Array.from((prep[1] as Transformer).transform((prep[0] as Transformer).transform(c.table)).toMatrix()), [c.table.nRows, width]);
    const z = fg.predict(model, x, { batchSize: 4096 });
    const s = fg.sigmoid(z).toFloat32Array();
    x.dispose();
    z.dispose();
    const ids = c.table.column('id') as string[];
    let text = '';
    for (let i = 0; i < s.length; i++) text += `${ids[i]},${(s[i] as number).toFixed(6)}\n`;
    await write(text);
    rows += c.table.nRows;
    sampleHeap();
  }
  await new Promise<void>((resolve) => out.end(resolve));
  phases.scoreSeconds = (performance.now() - t1) / 1000;
} else if (mode === 'whole') {
  const data = await readCsv(file, { target: 'default', types: { coApplicant: 'boolean' } });
  rows = data.table.nRows;
  phases.readSeconds = (performance.now() - t0) / 1000;
  const prep = steps();
  const m = (prep[1] as Transformer).fitTransform((prep[0] as Transformer).fitTransform(data.table));
  const width = m.nColumns;
  const x = fg.keep(fg.tensor(Float32Array.from(m.toMatrix()), [rows, width]));
  const y = fg.keep(fg.tensor(Float32Array.from(data.y as number[]), [rows, 1]));
  const model = mlp(width);
  const t1 = performance.now();
  fg.fit(model, { x, y }, { batchSize: 256, lossFn: fg.bceWithLogits, optimizer: new fg.optim.Adam(model.parameters(), { lr: 0.003 }), seed: 0, callbacks: [{ onBatchEnd: (b) => void (b % 256 === 0 && sampleHeap()) }] });
  phases.epochSeconds = (performance.now() - t1) / 1000;
} else {
  throw new Error(`unknown mode ${mode}`);
}
sampleHeap();
const seconds = (performance.now() - t0) / 1000;
console.log(JSON.stringify({ mode, rows, seconds, rowsPerSecond: rows / seconds, ...phases, peakRssBytes: process.resourceUsage().maxRSS * 1024, wasmHeapBytes: peakHeap }));
