// The page side of the learning page: reads the form, hands the settings to the training worker
// (worker.ts, which says why training runs there), and redraws the charts from the worker's
// messages, at most once per animation frame. The views live in views/, the tasks in tasks/.
import type uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './style.css';
import type { LayerHistograms, PageMessage, Settings, TaskId, WorkerMessage } from './protocol.js';
import { CHANCE, COLORS, destroyChart, lineChart, setChartData } from './views/charts.js';
import { watchCsvInput } from './views/csv-input.js';
import { drawGraph } from './views/graph.js';
import { drawHistograms } from './views/histograms.js';
import { drawGradcheck, drawResults } from './views/tables.js';

interface Run {
  settings: Settings;
  charts: { loss: uPlot; heldOut: uPlot | null; grads: uPlot | null; dead: uPlot | null; result: uPlot | null };
  epochs: number[];
  loss: number[];
  valLoss: number[];
  heldOut: number[];
  /** One array per weight, one value per epoch. */
  grads: number[][];
  /** One array per ReLU layer, one value per epoch. */
  dead: number[][];
  histograms: LayerHistograms[][];
  fraction: number;
  status: string;
  done: boolean;
}

/** What the page exposes for the browser test: the run's state. */
interface DemoHandle {
  run: Run | null;
}

declare global {
  interface Window {
    fingradDemo: DemoHandle;
  }
}

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`demo: #${id} is missing from index.html`);
  return el as T;
}

const form = byId<HTMLFormElement>('settings');
const taskSelect = byId<HTMLSelectElement>('task');
const trainButton = byId<HTMLButtonElement>('train');
const stopButton = byId<HTMLButtonElement>('stop');
const progressBar = byId<HTMLProgressElement>('progress');
const progressLabel = byId<HTMLSpanElement>('progress-label');
const statusLine = byId<HTMLParagraphElement>('status');
const dataLine = byId<HTMLParagraphElement>('data');
const backendLine = byId<HTMLSpanElement>('backend');
const resultsArea = byId<HTMLElement>('results-area');
const histLayer = byId<HTMLSelectElement>('hist-layer');
const histEpoch = byId<HTMLInputElement>('hist-epoch');
const histEpochLabel = byId<HTMLOutputElement>('hist-epoch-label');
const csvFile = byId<HTMLInputElement>('csv-file');
const csvTarget = byId<HTMLSelectElement>('csv-target');
const csvInfo = byId<HTMLElement>('csv-info');
const gcParam = byId<HTMLSelectElement>('gc-param');
const gcRun = byId<HTMLButtonElement>('gc-run');

const demo: DemoHandle = { run: null };
window.fingradDemo = demo;

// ---- form ------------------------------------------------------------------------------------

/** Sizes that train in seconds; the rows field means something different per task. */
const DEFAULTS: { [T in TaskId]: { rows: number; rowsLabel: string; epochs: number; lr: number; batch: number; hidden: string } } = {
  credit: { rows: 5000, rowsLabel: 'Applicants', epochs: 20, lr: 0.005, batch: 64, hidden: '32, 16' },
  forecast: { rows: 1500, rowsLabel: 'Series length', epochs: 15, lr: 0.01, batch: 32, hidden: '' },
  shapes: { rows: 800, rowsLabel: 'Images', epochs: 12, lr: 0.01, batch: 32, hidden: '' },
  anomaly: { rows: 3000, rowsLabel: 'Transactions', epochs: 30, lr: 0.005, batch: 64, hidden: '' },
  csv: { rows: 0, rowsLabel: 'Rows', epochs: 30, lr: 0.005, batch: 32, hidden: '16' },
};

function field(name: string): HTMLInputElement {
  return form.elements.namedItem(name) as HTMLInputElement;
}

function showTask(task: TaskId): void {
  const d = DEFAULTS[task];
  byId('csv-fields').hidden = task !== 'csv';
  byId('rows-label').textContent = d.rowsLabel;
  for (const el of [byId('rows-label'), field('rows')]) el.hidden = task === 'csv';
  for (const el of Array.from(form.querySelectorAll<HTMLElement>('[data-tasks]'))) el.hidden = !(el.dataset.tasks ?? '').split(' ').includes(task);
  field('rows').value = String(d.rows);
  field('epochs').value = String(d.epochs);
  field('lr').value = String(d.lr);
  field('batch').value = String(d.batch);
  if (d.hidden !== '') field('hidden').value = d.hidden;
}

function numberField(name: string, min: number, max: number, integer: boolean): number {
  const input = field(name);
  const v = Number(input.value);
  const label = input.labels?.[0]?.textContent?.trim() ?? name;
  if (!Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    throw new Error(`${label}: expected ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, got "${input.value}"`);
  }
  return v;
}

/** The dropped file's text, kept in the page until training sends it to the worker. */
let csvText: { name: string; text: string } | null = null;

function readSettings(): Settings {
  const task = taskSelect.value as TaskId;
  const hiddenText = field('hidden').value;
  const hidden = hiddenText.split(/[\s,]+/).filter((s) => s !== '').map(Number);
  if ((task === 'credit' || task === 'csv') && (hidden.length < 1 || hidden.length > 6 || hidden.some((h) => !Number.isInteger(h) || h < 1 || h > 512))) {
    throw new Error(`Hidden layers: expected 1 to 6 sizes from 1 to 512 separated by commas, got "${hiddenText}"`);
  }
  const settings: Settings = {
    task,
    rows: task === 'csv' ? 0 : numberField('rows', 100, 100_000, true),
    epochs: numberField('epochs', 1, 500, true),
    hidden,
    cell: field('cell').value as Settings['cell'],
    activation: field('activation').value as Settings['activation'],
    learningRate: numberField('lr', 1e-6, 1, false),
    batchSize: numberField('batch', 1, 4096, true),
    seed: numberField('seed', 0, 2 ** 31 - 1, true),
  };
  if (task === 'csv') {
    if (csvText === null) throw new Error('Your data: drop a CSV file on the page or choose one first.');
    if (csvTarget.value === '') throw new Error('Your data: pick the target column.');
    settings.csv = { ...csvText, target: csvTarget.value };
  }
  return settings;
}

// ---- drawing ---------------------------------------------------------------------------------

let frameRequested = false;

function redrawSoon(): void {
  if (frameRequested) return;
  frameRequested = true;
  requestAnimationFrame(() => {
    frameRequested = false;
    draw();
  });
}

function draw(): void {
  const run = demo.run;
  if (run === null) return;
  setChartData(run.charts.loss, [run.epochs, run.loss, run.valLoss]);
  // Log scale: a zero norm (no gradient reached that weight) is left out rather than drawn at −∞.
  if (run.charts.heldOut) setChartData(run.charts.heldOut, [run.epochs, run.heldOut]);
  if (run.charts.grads) setChartData(run.charts.grads, [run.epochs, ...run.grads.map((s) => s.map((v) => (v > 0 ? v : null)))]);
  if (run.charts.dead) setChartData(run.charts.dead, [run.epochs, ...run.dead]);
  const n = run.histograms.length;
  if (n > 0) {
    const following = Number(histEpoch.value) >= Number(histEpoch.max);
    histEpoch.max = String(n);
    histEpoch.disabled = false;
    if (following) histEpoch.value = String(n);
    showHistograms();
  }
  progressBar.value = run.fraction;
  progressLabel.textContent = `${Math.floor(run.fraction * 100)}%`;
  statusLine.textContent = run.status;
}

function showHistograms(): void {
  const run = demo.run;
  if (run === null) return;
  const epoch = Number(histEpoch.value);
  histEpochLabel.textContent = String(epoch);
  drawHistograms(byId('histograms'), run.histograms, Number(histLayer.value), epoch);
}

histLayer.addEventListener('change', showHistograms);
histEpoch.addEventListener('input', showHistograms);

const fmt = (v: number, digits = 4): string => v.toFixed(digits);

function options(select: HTMLSelectElement, items: Array<[string, string]>): void {
  select.replaceChildren(
    ...items.map(([value, text]) => {
      const o = document.createElement('option');
      o.value = value;
      o.textContent = text;
      return o;
    }),
  );
  select.disabled = items.length === 0;
}

function showDone(run: Run, m: Extract<WorkerMessage, { type: 'done' }>): void {
  resultsArea.hidden = false;
  drawResults(byId('results'), byId('results-caption'), m.table);
  const figure = byId('result-figure');
  destroyChart(run.charts.result);
  run.charts.result = null;
  figure.hidden = m.chart === null;
  if (m.chart !== null) {
    const c = m.chart;
    byId('result-title').textContent = c.title;
    run.charts.result = lineChart(
      byId('result-chart'),
      c.series.map((s, i) => ({ label: s.label, stroke: s.label === 'chance' ? CHANCE : (COLORS[i % COLORS.length] as string), ...(s.label === 'chance' ? { dash: [4, 4] } : {}) })),
      { x: c.x, y: c.y, unit: c.x === 'false positive rate', ...(c.points ? { points: true } : {}) },
    );
    setChartData(run.charts.result, [c.xs, ...c.series.map((s) => s.values)]);
  }
  byId('graph-caption').textContent = `Computation graph of ${m.graph.objective} (${m.graph.nodes.length} nodes)`;
  drawGraph(byId('graph-view'), byId('node-info'), m.graph);
  options(gcParam, m.parameters.map((p) => [p.name, `${p.name} [${p.shape.join('×')}]`]));
  gcRun.disabled = false;
}

// ---- the worker ------------------------------------------------------------------------------

let worker: Worker | null = null;

function fail(message: string): void {
  console.error(`fingrad demo: ${message}`);
  statusLine.textContent = message;
  statusLine.classList.add('error');
  finish();
}

function finish(): void {
  trainButton.disabled = false;
  stopButton.disabled = true;
  gcRun.disabled = demo.run?.done !== true;
}

function onMessage(m: WorkerMessage): void {
  if (m.type === 'columns') {
    options(csvTarget, m.columns.map((c) => [c.name, `${c.name} (${c.type}${c.missing ? `, ${c.missing} missing` : ''})`]));
    csvTarget.value = m.columns.at(-1)?.name ?? '';
    csvInfo.textContent = `${m.name}: ${m.rows} rows, ${m.columns.length} columns. Pick the column to predict.`;
    return;
  }
  if (m.type === 'gradcheck') {
    drawGradcheck(byId('gc-table'), byId('gc-verdict'), m.report);
    gcRun.disabled = false;
    return;
  }
  if (m.type === 'error') {
    fail(`Failed: ${m.message}`);
    return;
  }
  const run = demo.run;
  if (run === null) return;
  switch (m.type) {
    case 'data': {
      const rel = m.info.relaxedSimd ? 'relaxed SIMD' : 'SIMD';
      backendLine.textContent = `kernels: ${m.info.build} (WebAssembly ${rel}), ${m.info.sharedMemory ? 'shared memory (cross-origin isolated)' : 'private memory, one thread (not cross-origin isolated)'}; training runs in a Web Worker`;
      dataLine.textContent = m.description;
      run.status = 'Training…';
      break;
    }
    case 'trainBegin':
      run.grads = m.layers.map(() => []);
      run.dead = m.units.map(() => []);
      destroyChart(run.charts.loss);
      run.charts.loss = lossChart(m.lossName);
      byId('held-out-title').textContent = `Held-out ${m.heldOutName} per epoch`;
      run.charts.heldOut = lineChart(byId('held-out-chart'), [{ label: m.heldOutName, stroke: COLORS[2] as string }], { x: 'epoch', y: m.heldOutName });
      run.charts.grads = lineChart(byId('grad-chart'), m.layers.map((label, i) => ({ label, stroke: COLORS[(i + 3) % COLORS.length] as string })), { x: 'epoch', y: '‖∂L/∂W‖', logY: true });
      byId('dead-note').hidden = m.units.length > 0;
      run.charts.dead = m.units.length > 0 ? lineChart(byId('dead-chart'), m.units.map((label, i) => ({ label: `ReLU ${label}`, stroke: COLORS[i % COLORS.length] as string })), { x: 'epoch', y: 'dead share', unitY: true }) : null;
      if (m.units.length === 0) byId('dead-chart').textContent = 'This model has no ReLU layers: nothing can die (recurrent cells use tanh and sigmoid gates).';
      options(histLayer, m.layers.map((l, i) => [String(i), l]));
      histEpoch.value = '1';
      histEpoch.max = '1';
      break;
    case 'progress':
      run.fraction = m.fraction;
      run.status = `epoch ${m.epoch}/${run.settings.epochs} · batch loss ${fmt(m.batchLoss)}`;
      break;
    case 'epoch':
      run.epochs.push(m.epoch);
      run.loss.push(m.loss);
      run.valLoss.push(m.valLoss);
      run.heldOut.push(m.heldOut);
      m.gradNorms.forEach((g, i) => run.grads[i]?.push(g));
      m.deadUnits.forEach((d, i) => run.dead[i]?.push(d));
      run.histograms.push(m.histograms);
      run.fraction = m.fraction;
      run.status = `epoch ${m.epoch}/${run.settings.epochs} · train loss ${fmt(m.loss)} · validation loss ${fmt(m.valLoss)} · ${(m.seconds * 1000).toFixed(0)} ms/epoch`;
      break;
    case 'done':
      run.fraction = 1;
      run.done = true;
      run.status = `Done: ${run.epochs.length} epochs. ${m.summary}`;
      draw();
      showDone(run, m);
      finish();
      return;
  }
  redrawSoon();
}

function send(m: PageMessage): void {
  worker ??= startWorker();
  worker.postMessage(m);
}

function startWorker(): Worker {
  const w = new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'fingrad-training' });
  w.onmessage = (e: MessageEvent<WorkerMessage>) => onMessage(e.data);
  w.onerror = (e) => {
    e.preventDefault();
    w.terminate();
    worker = null;
    fail(`The training worker failed: ${e.message || 'could not load worker.js'}`);
  };
  return w;
}

function lossChart(name: string): uPlot {
  return lineChart(
    byId('loss-chart'),
    [
      { label: 'train', stroke: COLORS[0] as string },
      { label: 'validation', stroke: COLORS[1] as string },
    ],
    { x: 'epoch', y: name },
  );
}

// ---- events ----------------------------------------------------------------------------------

taskSelect.addEventListener('change', () => showTask(taskSelect.value as TaskId));

async function takeFile(file: File): Promise<void> {
  csvText = { name: file.name, text: await file.text() };
  csvInfo.textContent = `Reading ${file.name}…`;
  send({ type: 'csvColumns', ...csvText });
}

watchCsvInput(csvFile, byId('drop'), (file) => void takeFile(file));

form.addEventListener('submit', (e) => {
  e.preventDefault();
  statusLine.classList.remove('error');
  let settings: Settings;
  try {
    settings = readSettings();
  } catch (err) {
    statusLine.textContent = (err as Error).message;
    statusLine.classList.add('error');
    return;
  }
  for (const chart of Object.values(demo.run?.charts ?? {})) destroyChart(chart);
  resultsArea.hidden = true;
  for (const id of ['held-out-chart', 'grad-chart', 'dead-chart', 'histograms', 'gc-table', 'gc-verdict']) byId(id).replaceChildren();
  demo.run = { settings, charts: { loss: lossChart('loss'), heldOut: null, grads: null, dead: null, result: null }, epochs: [], loss: [], valLoss: [], heldOut: [], grads: [], dead: [], histograms: [], fraction: 0, status: 'Preparing the data…', done: false };
  trainButton.disabled = true;
  stopButton.disabled = false;
  gcRun.disabled = true;
  draw();
  send({ type: 'train', settings });
});

stopButton.addEventListener('click', () => {
  // fit() cannot be interrupted from outside its thread: end the worker, start a fresh one next time.
  worker?.terminate();
  worker = null;
  const run = demo.run;
  if (run !== null) {
    run.status = `Stopped after ${run.epochs.length} of ${run.settings.epochs} epochs.`;
    draw();
  }
  finish();
  gcRun.disabled = true;
});

gcRun.addEventListener('click', () => {
  if (gcParam.value === '') return;
  gcRun.disabled = true;
  byId('gc-verdict').textContent = `Checking ${gcParam.value}…`;
  send({ type: 'gradcheck', parameter: gcParam.value });
});

showTask(taskSelect.value as TaskId);
