// A trained model as the command line keeps it: a folder with the fitted pipeline (one
// safetensors file: weights, preprocessing, feature names, classes), what it was trained on and
// how well it did (training.json), and a sample of the training data and scores for drift
// monitoring (reference.json). Written whole or not at all.
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Pipeline, loadPipelineFile, savePipelineFile } from '../finance/pipeline.js';
import type { ColumnType, Table } from '../finance/table.js';
import { UsageError, writeDirAtomic } from './command.js';
import { loadCsv } from './data.js';

export const PIPELINE_FILE = 'pipeline.safetensors';
const TRAINING_FILE = 'training.json';
const REFERENCE_FILE = 'reference.json';
const FORMAT = 'fingrad.model-dir/1';
/** Rows of training data kept for drift monitoring. */
const REFERENCE_ROWS = 5000;

export interface TrainingRecord {
  format: string;
  created: string;
  fingradVersion: string;
  data: { file: string; rows: number; target: string; idColumn: string | null; columns: Record<string, ColumnType>; missing: Record<string, number> };
  model: { name: string; options: Record<string, unknown> };
  split: { testSize: number; seed: number; stratified: boolean; trainRows: number; testRows: number };
  classes: Array<string | number>;
  /** The class whose probability is the score (the second class: "default", 1, "bad"…). */
  positiveClass: string | number;
  featureNamesOut: string[];
  metrics: Record<string, number>;
}

export interface ReferenceSample {
  columns: Record<string, Array<number | string | null>>;
  scores: number[];
}

/** A sample of the training table's columns (numbers with null for missing) and scores. */
export function referenceSample(table: Table, scores: ArrayLike<number>, seedRows: number[]): ReferenceSample {
  const rows = seedRows.slice(0, REFERENCE_ROWS);
  const columns: ReferenceSample['columns'] = {};
  for (const c of table.columnNames) {
    const col = table.column(c);
    columns[c] = rows.map((i) => {
      const v = col[i] as number | string | null;
      return typeof v === 'number' && Number.isNaN(v) ? null : v;
    });
  }
  return { columns, scores: Array.from(scores).slice(0, REFERENCE_ROWS) };
}

export async function saveModelDir(dir: string, pipeline: Pipeline, record: TrainingRecord, reference: ReferenceSample): Promise<void> {
  await writeDirAtomic(dir, async (tmp) => {
    await savePipelineFile(join(tmp, PIPELINE_FILE), pipeline);
    await writeFile(join(tmp, TRAINING_FILE), `${JSON.stringify(record, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`);
    await writeFile(join(tmp, REFERENCE_FILE), JSON.stringify(reference));
  });
}

async function readJson<T>(dir: string, file: string): Promise<T> {
  try {
    return JSON.parse(await readFile(join(dir, file), 'utf8')) as T;
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') throw new UsageError(`${dir}: no ${file}; is it a folder written by fingrad train --out?`);
    throw new UsageError(`${dir}/${file}: ${(e as Error).message}`);
  }
}

export interface ModelDir {
  pipeline: Pipeline;
  training: TrainingRecord;
  reference: () => Promise<ReferenceSample>;
}

/** Reads a model folder, with errors that say what is missing. */
export async function loadModelDir(dir: string): Promise<ModelDir> {
  const info = await stat(dir).catch(() => null);
  if (info === null) throw new UsageError(`${dir}: no such model folder`);
  if (!info.isDirectory()) throw new UsageError(`${dir}: not a folder; --model takes the folder written by fingrad train --out`);
  const training = await readJson<TrainingRecord>(dir, TRAINING_FILE);
  if (training.format !== FORMAT) throw new UsageError(`${dir}/${TRAINING_FILE}: format ${JSON.stringify(training.format)} is not '${FORMAT}'`);
  const pipeline = await loadPipelineFile(join(dir, PIPELINE_FILE));
  return { pipeline, training, reference: () => readJson<ReferenceSample>(dir, REFERENCE_FILE) };
}

export function newTrainingRecord(fields: Omit<TrainingRecord, 'format' | 'created'>): TrainingRecord {
  return { format: FORMAT, created: new Date().toISOString(), ...fields };
}

export interface ModelData {
  /** The model's input columns, in training order. */
  table: Table;
  /** The target column, when the file has it (or must: `target: 'required'`). */
  y: Array<string | number> | undefined;
}

/**
 * Rows of `file` to score with a trained model: read with the training column types (so a bad
 * value names its line), the training columns required, the target read when present.
 */
export async function readModelData(training: TrainingRecord, file: string, target: 'required' | 'optional'): Promise<ModelData> {
  const types = training.data.columns;
  const name = training.data.target;
  let csv = await loadCsv(file, target === 'required' ? { target: name, types } : { types });
  if (target === 'optional' && csv.table.has(name)) csv = await loadCsv(file, { target: name, types });
  const need = Object.keys(types);
  const missing = need.filter((c) => !csv.table.has(c));
  if (missing.length > 0) throw new UsageError(`${file}: columns the model was trained on are missing: ${missing.join(', ')}`);
  return { table: csv.table.select(need), y: csv.y as Array<string | number> | undefined };
}