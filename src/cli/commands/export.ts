// `fingrad export`: a trained model directory (what `fingrad train --out dir` writes) → one ONNX
// file that takes the raw columns and gives class probabilities (fingrad/onnx's exportOnnx).
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import * as fg from '../../index.js';
import { FingradError } from '../../errors.js';
import { type Pipeline, loadPipelineFile } from '../../finance/index.js';
import { ONNX_OPSETS, exportOnnx } from '../../onnx/index.js';
import { PIPELINE_FILE } from '../model-dir.js';
import { UsageError, action, emit, intOption, writeFileAtomic } from '../command.js';

interface ExportFlags {
  model: string;
  onnx: string;
  opset?: string;
  json?: boolean;
}

/** The fitted pipeline inside a model directory. */
export function pipelineFileIn(dir: string): string {
  return join(dir, PIPELINE_FILE);
}

async function readPipeline(dir: string): Promise<Pipeline> {
  const info = await stat(dir).catch(() => null);
  if (info === null || !info.isDirectory()) throw new UsageError(`--model ${dir}: no such directory (a model directory is what 'fingrad train --out <dir>' writes)`);
  const file = pipelineFileIn(dir);
  if ((await stat(file).catch(() => null)) === null) throw new UsageError(`--model ${dir}: no ${file}; is it a model directory written by 'fingrad train --out <dir>'?`);
  try {
    return await loadPipelineFile(file);
  } catch (e) {
    if (e instanceof FingradError || e instanceof SyntaxError) throw new UsageError(`${file} is not a fingrad pipeline: ${e.message}`);
    throw e;
  }
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('write a trained model as one ONNX file: raw columns in (numbers, NaN for missing; strings, "" for missing), class probabilities and label out')
    .requiredOption('--model <dir>', "a model directory written by 'fingrad train --out <dir>'")
    .requiredOption('--onnx <file.onnx>', 'the ONNX file to write')
    .option('--opset <n>', `ONNX opset, ${ONNX_OPSETS.min} to ${ONNX_OPSETS.max}`, String(ONNX_OPSETS.default))
    .option('--json', 'machine-readable output')
    .action(action('export', async (flags: ExportFlags) => {
      const opset = intOption('opset', flags.opset, ONNX_OPSETS.default);
      if (opset < ONNX_OPSETS.min || opset > ONNX_OPSETS.max) throw new UsageError(`--opset must be ${ONNX_OPSETS.min} to ${ONNX_OPSETS.max}, got ${opset}`);
      await fg.ready();
      const p = await readPipeline(flags.model);
      const bytes = exportOnnx(p, { opset });
      try {
        await writeFileAtomic(flags.onnx, bytes);
      } catch (e) {
        const code = (e as { code?: unknown }).code;
        if (typeof code === 'string') throw new UsageError(`--onnx ${flags.onnx}: cannot write the file (${code})`);
        throw e;
      }
      const features = p.featureNamesIn ?? [];
      const outputs = p.classes === null ? ['predictions'] : ['probabilities', 'label'];
      const out = { model: flags.model, onnx: flags.onnx, bytes: bytes.length, opset, columns: features, outputs, classes: p.classes, estimator: p.model.config?.().kind ?? null };
      emit(flags.json, out, () => {
        console.log(`wrote ${flags.onnx} (${(bytes.length / 1024).toFixed(1)} kB, opset ${opset}): ${features.length} columns → ${outputs.join(', ')}${p.classes === null ? '' : ` (classes ${p.classes.join(', ')})`}`);
        console.log(`inputs [N, 1] each, named after the columns: numbers as float32 (NaN = missing), categories as strings ('' = missing)`);
      });
    }));
}
