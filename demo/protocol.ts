// Messages between the page (main.ts) and the training worker (worker.ts). Plain data only:
// everything crosses postMessage by structured clone.
import type { BackendInfo, Histogram } from '../src/index.js';

export type TaskId = 'credit' | 'forecast' | 'shapes' | 'anomaly' | 'csv';

/** A CSV file the user dropped on the page: its text never leaves the browser. */
export interface CsvInput {
  name: string;
  text: string;
  target: string;
}

/** What the form asks for. */
export interface Settings {
  task: TaskId;
  epochs: number;
  learningRate: number;
  batchSize: number;
  seed: number;
  /** Rows (credit, anomaly) or images (shapes) or series length (forecast) to generate. */
  rows: number;
  /** Hidden sizes of the MLP (credit, CSV). */
  hidden: number[];
  /** Activation between the MLP's layers (credit, CSV): 'logistic' on deep nets shows vanishing gradients. */
  activation: 'relu' | 'tanh' | 'logistic';
  /** Recurrent cell of the forecast task. */
  cell: 'lstm' | 'gru';
  csv?: CsvInput;
}

export type PageMessage =
  | { type: 'train'; settings: Settings }
  | { type: 'csvColumns'; name: string; text: string }
  | { type: 'gradcheck'; parameter: string };

/** One parameter's weight and gradient histograms at the end of an epoch. */
export interface LayerHistograms {
  name: string;
  weight: Histogram;
  /** The last batch's gradient (before the optimizer step); null if none reached it. */
  grad: Histogram | null;
}

/** A graph node as the page draws it: `graph()`'s node plus the gradient that reached it. */
export interface InspectNode {
  id: string;
  label: string;
  kind: 'parameter' | 'input' | 'op';
  shape: number[];
  value: { min: number | null; max: number | null; mean: number | null } | null;
  grad: { norm: number; min: number | null; max: number | null; mean: number | null } | null;
}

export interface InspectGraph {
  nodes: InspectNode[];
  edges: Array<{ from: string; to: string }>;
  /** What the loss of the drawn step is. */
  objective: string;
}

export interface GradcheckRow {
  /** Multi-index of the element in the parameter. */
  coords: number[];
  analytic: number;
  numeric: number;
  relError: number;
  /** False when the differences at eps and 2·eps disagree: a kink (ReLU switching) lies within reach. */
  smooth: boolean;
}

export interface GradcheckReport {
  parameter: string;
  shape: number[];
  rows: GradcheckRow[];
  eps: number;
  tolerance: number;
}

/** Held-out scores: one row per model, one column per metric. */
export interface ResultTable {
  caption: string;
  columns: string[];
  rows: Array<{ model: string; detail: string; values: number[] }>;
  /** Per column: true when higher is better (the best cell is marked). */
  higherIsBetter: boolean[];
}

/** A task's own chart after training (ROC, forecast, anomaly scores …). */
export interface ResultChart {
  title: string;
  x: string;
  y: string;
  xs: number[];
  series: Array<{ label: string; values: Array<number | null> }>;
  /** Draw points, not lines (scores per row). */
  points?: boolean;
}

export type WorkerMessage =
  | { type: 'columns'; name: string; rows: number; columns: Array<{ name: string; type: string; missing: number }> }
  | { type: 'data'; info: BackendInfo; description: string }
  | { type: 'trainBegin'; layers: string[]; units: string[]; lossName: string; heldOutName: string }
  | { type: 'progress'; fraction: number; epoch: number; batchLoss: number }
  | {
      type: 'epoch';
      epoch: number;
      loss: number;
      valLoss: number;
      /** The task's held-out score with this epoch's weights. */
      heldOut: number;
      seconds: number;
      /** Mean per-batch ‖∂L/∂W‖ of each weight (order of trainBegin's layers). */
      gradNorms: number[];
      histograms: LayerHistograms[];
      /** Per activation layer (order of trainBegin's units): share of units at 0 for every probe row. */
      deadUnits: number[];
      fraction: number;
    }
  | { type: 'done'; table: ResultTable; chart: ResultChart | null; summary: string; graph: InspectGraph; parameters: Array<{ name: string; shape: number[] }> }
  | { type: 'gradcheck'; report: GradcheckReport }
  | { type: 'error'; message: string };
