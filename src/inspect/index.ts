// Seeing what a model does: the graph behind a tensor (JSON, DOT, Mermaid), a layer summary,
// activation/gradient recording through module hooks, gradient statistics and anomaly mode.
export { graph, toDot, toMermaid, type Graph, type GraphNode, type GraphEdge, type GraphOptions } from './graph.js';
export { summary, namedModules, type ModelSummary, type SummaryRow, type SummaryParameter } from './summary.js';
export { tensorStats, type TensorStats, type TensorStatsOptions, type Histogram, type ValueSummary } from './tensor-stats.js';
export { gradStats, type ParameterStats } from './grad-stats.js';
export { recordActivations, ActivationRecording, type LayerRecord, type LayerStats, type RecordOptions } from './recorder.js';
export { detectAnomaly } from './anomaly.js';
