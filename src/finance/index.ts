// fingrad/finance: the tabular toolkit (CSV in, preprocessing, pipelines, splits and model
// selection). Its own entry point, so that the tensor core that browsers load stays small.
export { Table, asTable, type ColumnType, type ColumnValues, type ColumnInput, type ColumnSummary, type TabularInput } from './table.js';
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
