// fingrad/finance: the tabular toolkit (CSV in, preprocessing, pipelines, splits and model
// selection). Its own entry point, so that the tensor core that browsers load stays small.
export { Table, asTable, type ColumnType, type ColumnValues, type ColumnInput, type ColumnSummary, type TabularInput } from './table.js';
export { readParquetChunks, ParquetError, type ParquetChunkOptions, type ParquetSource } from './parquet.js';
export { readCsvChunks, type CsvChunkOptions } from './csv-chunks.js';
export { readCsv, parseCsv, CsvError, DEFAULT_NA_VALUES, type CsvOptions, type CsvData, type CsvSource, type CsvStream } from './csv.js';
export { Transformer, registerTransformer, transformerFromJSON, type TransformerJSON, type TargetValues } from './transformer.js';
export { SimpleImputer, type SimpleImputerOptions, type ImputeStrategy } from './impute.js';
export { StandardScaler, MinMaxScaler, type StandardScalerOptions, type MinMaxScalerOptions } from './scale.js';
export { OneHotEncoder, OrdinalEncoder, type OneHotEncoderOptions, type OrdinalEncoderOptions, type Category } from './encode.js';
export { WoEEncoder, type WoEEncoderOptions, type WoEBin, type Monotonic } from './woe.js';
export { ColumnTransformer, type ColumnTransformerEntry, type ColumnTransformerOptions, type ColumnSelector } from './compose.js';
export { Pipeline, cloneModel, savePipeline, loadPipeline, savePipelineFile, loadPipelineFile, type PipelineModel, type PipelineStep, type Labels } from './pipeline.js';
export { KFold, StratifiedKFold, TimeSeriesSplit, trainTestSplit, type Fold, type Splitter, type TimeSeriesSplitOptions, type TrainTestSplitOptions } from './split.js';
export { crossValScore, GridSearchCV, getScorer, parameterGrid, type Scorer, type ScoringName, type EstimatorSource, type CrossValOptions, type GridSearchCVOptions, type ParamGrid, type CvResults } from './model-selection.js';
// Market series, explanations, monitoring and model risk.
export { readSeries, logReturns, simpleReturns, rollingMean, rollingStd, lags, priceSeries, type SeriesLike, type PriceSeries, type PriceGap } from './market/series.js';
export { AutoReg, type AutoRegOptions } from './market/ar.js';
export { GARCH, type GARCHOptions, type GARCHParams } from './market/garch.js';
export { backtest, type BacktestOptions, type BacktestResult } from './market/backtest.js';
export { walkForward, walkForwardFolds, type WalkForwardOptions, type WalkForwardResult, type OneStepForecaster, type WalkForwardFold, type ForecastScores } from './market/walk-forward.js';
export { windowForecaster, type WindowModel } from './market/forecasters.js';
export { permutationImportance, type PermutationImportance, type PermutationImportanceOptions, type ScoringFn } from './explain/permutation.js';
export { kernelShap, linearShap, type ShapValues, type KernelShapOptions, type LinearShapOptions } from './explain/shap.js';
export { gradientTimesInput, integratedGradients, type Differentiable, type GradientAttributions, type IntegratedGradients } from './explain/gradients.js';
export { reasonCodes, scorecardPoints, type ReasonCode, type Scorecard, type ScorecardOptions } from './explain/reasons.js';
export { type FeatureGroup, type MatrixLike, type ModelOutput } from './explain/predictor.js';
export { populationStabilityIndex, stabilityFlag, type StabilityIndex, type StabilityBin, type StabilityFlag, type StabilityOptions } from './monitor/stability.js';
export { driftReport, type DriftReport, type FeatureDrift, type Columns } from './monitor/drift.js';
export { fairnessReport, type FairnessReport, type GroupFairness } from './monitor/fairness.js';
export { performanceOverTime, type PeriodPerformance } from './monitor/performance.js';
export { averageProba, StackedClassifier, bootstrapSpread, type BootstrapSpread } from './ensemble.js';
export { partialFitSteps, rowChunks, predictProbaChunks, type TableChunks } from './streaming.js';
export { ReservoirQuantiles } from './quantile-sketch.js';
export { generateApplicants, applicantsCsv, type Applicants } from './applicants.js';
