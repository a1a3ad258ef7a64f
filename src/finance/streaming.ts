// Training on tables read in chunks (readCsvChunks, readParquetChunks): the preprocessing steps
// learn their statistics with partialFit, then the rows stream, transformed, into the core's
// DataLoader and fitStream. Steps in sequence each need the previous ones final before they see
// their input (a scaler after an imputer must see imputed values, and the imputer's statistics
// are only known at the end of a pass), so step k learns in pass k: as many passes over the
// file as there are steps, each in constant memory. Steps side by side (a ColumnTransformer)
// share one pass. The estimators whose solvers need every row at once (L-BFGS, liblinear-style
// coordinate descent in LogisticRegression, LinearSVC, MLPClassifier's full-batch fit) do not
// stream; streamed training goes through a Module with fitStream, minibatch by minibatch.
import type { IterableDataset, RowChunk } from '../index.js';
import { ValueError } from '../index.js';
import type { Table } from './table.js';
import type { TargetValues, Transformer } from './transformer.js';

/** Chunks of rows with their target (a CsvData has this shape); a function, so that every pass re-reads. */
export type TableChunks = () => AsyncIterable<{ table: Table; y?: ArrayLike<number | string> }>;

function classIndex(y: ArrayLike<number | string>, classes: readonly (number | string)[], where: string): Float32Array {
  const out = new Float32Array(y.length);
  for (let i = 0; i < y.length; i++) {
    const k = classes.indexOf(y[i] as number | string);
    if (k < 0) throw new ValueError(`${where}: target value ${JSON.stringify(y[i])} is not among the classes (${classes.map((c) => JSON.stringify(c)).join(', ')})`);
    out[i] = k;
  }
  return out;
}

/** Fits `steps` in sequence on the chunks with partialFit: one pass per step (see the file comment). Returns the rows seen per pass. */
export async function partialFitSteps(steps: readonly Transformer[], chunks: TableChunks): Promise<number> {
  let rows = 0;
  for (let k = 0; k < steps.length; k++) {
    rows = 0;
    for await (const { table, y } of chunks()) {
      let t = table;
      for (let j = 0; j < k; j++) t = (steps[j] as Transformer).transform(t);
      (steps[k] as Transformer).partialFit(t, y as TargetValues | undefined);
      rows += table.nRows;
    }
    if (rows === 0) throw new ValueError('partialFitSteps: the chunks hold no rows');
  }
  return rows;
}

/**
 * The chunks through fitted `steps`, as row chunks for a DataLoader: x the transformed features
 * (float32, row-major), y the index of each row's target in `classes` (0/1 for two classes).
 */
export function rowChunks(chunks: TableChunks, steps: readonly Transformer[], classes: readonly (number | string)[]): IterableDataset {
  return async function* (): AsyncGenerator<RowChunk> {
    for await (const { table, y } of chunks()) {
      if (y === undefined) throw new ValueError('rowChunks: the chunks carry no target (read them with {target})');
      let t = table;
      for (const s of steps) t = s.transform(t);
      yield { x: Float32Array.from(t.toMatrix('rowChunks')), y: classIndex(y, classes, 'rowChunks'), rows: table.nRows };
    }
  };
}

/**
 * Scores chunks as they are read (the API side of `fingrad predict`): yields each chunk's table
 * with the model's class probabilities (a fitted Pipeline, or anything with predictProba on a
 * table), so memory holds one chunk whatever the file's length.
 */
export async function* predictProbaChunks(model: { predictProba(x: Table): number[][] }, chunks: AsyncIterable<{ table: Table }>): AsyncGenerator<{ table: Table; proba: number[][] }> {
  if (model === null || typeof model !== 'object' || typeof model.predictProba !== 'function') throw new ValueError('predictProbaChunks: model must have predictProba(table) (a fitted Pipeline)');
  for await (const { table } of chunks) yield { table, proba: model.predictProba(table) };
}
