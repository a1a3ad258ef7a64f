// The training side of the learning page. fingrad's training loop (fit, and every model's fit on
// top of it) is synchronous: a main-thread loop would freeze the page for the whole run, and
// slicing it into `fit({ epochs: 1 })` calls per animation frame would restart the shuffling
// stream, the early-stopping state and the callbacks' epoch count at every call. So the page
// starts this module worker and it runs the task's real fit once, uninterrupted; the callbacks
// (onTrainBegin / onBatchEnd / onEpochEnd, the same interface the CLI prints from) post small
// messages, and the page redraws from them at its own frame rate. Without cross-origin
// isolation fingrad runs single-threaded on private memory; nothing here depends on it.
import * as fg from '../src/index.js';
import { inspectStep, gradcheckParameter } from './inspect.js';
import { Instruments, deadUnits, reluLayers } from './instruments.js';
import type { PageMessage, Settings, TaskId, WorkerMessage } from './protocol.js';
import { anomalyTask } from './tasks/anomaly.js';
import { creditTask } from './tasks/credit.js';
import { csvColumns, csvTask } from './tasks/csv.js';
import { forecastTask } from './tasks/forecast.js';
import { shapesTask } from './tasks/shapes.js';
import type { TaskFactory, TaskRun } from './tasks/task.js';

const TASKS: { [T in TaskId]: TaskFactory } = { credit: creditTask, forecast: forecastTask, shapes: shapesTask, anomaly: anomalyTask, csv: csvTask };

/** Smallest gap between two progress messages (ms); epoch ends always post. */
const PROGRESS_EVERY_MS = 16;

/** The last trained task: the gradient check runs on it. */
let current: TaskRun | null = null;

function post(message: WorkerMessage): void {
  self.postMessage(message);
}

async function train(s: Settings): Promise<void> {
  const info = await fg.ready();
  current?.dispose();
  current = null;
  fg.manualSeed(s.seed);
  const run = TASKS[s.task](s);
  current = run;
  post({ type: 'data', info, description: run.description });

  const instruments = new Instruments();
  let units: string[] = [];
  let rowsPerEpoch = 0;
  let rows = 0;
  let epochNow = 1;
  let lastPost = 0;
  const fraction = (): number => Math.min(1, (epochNow - 1 + (rowsPerEpoch > 0 ? Math.min(1, rows / rowsPerEpoch) : 0)) / s.epochs);
  const watch: fg.Callback = {
    onTrainBegin: () => {
      const net = run.network();
      instruments.attach(net);
      units = reluLayers(net);
      post({ type: 'trainBegin', layers: instruments.layers, units, lossName: run.lossName, heldOutName: run.heldOut.name });
    },
    onEpochBegin: (epoch) => {
      epochNow = epoch;
      rows = 0;
    },
    onBatchEnd: (_batch, logs) => {
      rows += logs.size as number;
      const now = performance.now();
      if (now - lastPost >= PROGRESS_EVERY_MS) {
        lastPost = now;
        post({ type: 'progress', fraction: fraction(), epoch: epochNow, batchLoss: logs.loss as number });
      }
    },
    onEpochEnd: (epoch, logs) => {
      if (epoch === 1) rowsPerEpoch = rows;
      const { gradNorms, histograms } = instruments.takeEpoch();
      const dead = deadUnits(run.network(), run.probe, units);
      const heldOut = run.heldOut.score();
      post({ type: 'epoch', epoch, loss: logs.loss as number, valLoss: logs.valLoss as number, heldOut, seconds: logs.seconds as number, gradNorms, histograms, deadUnits: dead, fraction: epoch / s.epochs });
    },
    onTrainEnd: () => instruments.detach(),
  };
  const t0 = performance.now();
  try {
    run.fit([watch]);
  } finally {
    instruments.detach();
  }
  const seconds = (performance.now() - t0) / 1000;
  const { table, chart, summary } = run.results(seconds);
  const graph = inspectStep(run);
  const parameters = run.network().namedParameters().map(([name, p]) => ({ name, shape: [...p.shape] }));
  post({ type: 'done', table, chart, summary, graph, parameters });
}

function handle(m: PageMessage): void | Promise<void> {
  switch (m.type) {
    case 'train':
      return train(m.settings);
    case 'csvColumns':
      post(csvColumns(m.name, m.text));
      return;
    case 'gradcheck':
      if (current === null) throw new Error('gradient check: train a model first');
      post({ type: 'gradcheck', report: gradcheckParameter(current, m.parameter) });
      return;
  }
}

self.onmessage = (e: MessageEvent<PageMessage>) => {
  Promise.resolve()
    .then(() => handle(e.data))
    .catch((err: unknown) => post({ type: 'error', message: err instanceof Error ? `${err.name}: ${err.message}` : String(err) }));
};
