// `fingrad inspect`: what a model folder holds: the pipeline's steps, its input columns and the
// features the model sees, the classes, and the held-out metrics from training.
import type { Command } from 'commander';
import * as fg from '../../index.js';
import { Transformer } from '../../finance/transformer.js';
import { action, emit } from '../command.js';
import { loadModelDir } from '../model-dir.js';
import { renderTable } from '../table.js';

export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description('show a trained model: pipeline steps, input columns and types, model features, classes, training metrics')
    .requiredOption('--model <dir>', 'a folder written by fingrad train --out')
    .option('--json', 'machine-readable output')
    .action(action('inspect', async (flags: { model: string; json?: boolean }) => {
      await fg.ready();
      const { pipeline, training } = await loadModelDir(flags.model);
      const steps = pipeline.steps.map(([name, step]) => ({ name, kind: step instanceof Transformer ? step.kind : (step.constructor as { name: string }).name, ...(step instanceof Transformer && { params: step.getParams() }) }));
      const out = { model: flags.model, steps, inputColumns: training.data.columns, featuresOut: training.featureNamesOut, classes: training.classes, positiveClass: training.positiveClass, modelOptions: training.model.options, split: training.split, metrics: training.metrics, trainedOn: training.data.file, created: training.created, fingradVersion: training.fingradVersion };
      emit(flags.json, out, () => {
        console.log(`${flags.model}: ${training.model.name} trained ${training.created} with fingrad ${training.fingradVersion} on ${training.data.file} (${training.data.rows} rows, target '${training.data.target}')`);
        console.log(`pipeline: ${steps.map((s) => `${s.name} (${s.kind})`).join(' → ')}`);
        console.log(`input columns: ${Object.entries(training.data.columns).map(([c, t]) => `${c}:${t}`).join(', ')}`);
        console.log(`${training.featureNamesOut.length} model features: ${training.featureNamesOut.join(', ')}`);
        console.log(`classes: ${training.classes.join(', ')}; score = P(${training.positiveClass})`);
        console.log(renderTable(['held-out metric', 'value'], Object.entries(training.metrics).map(([k, v]) => [k, v])));
      });
    }));
}
