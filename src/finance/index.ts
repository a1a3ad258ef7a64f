// fingrad/finance: the tabular toolkit (CSV in, preprocessing, pipelines, splits and model
// selection). Its own entry point, so that the tensor core that browsers load stays small.
export { Table, asTable, type ColumnType, type ColumnValues, type ColumnInput, type ColumnSummary, type TabularInput } from './table.js';
export { readCsv, parseCsv, CsvError, DEFAULT_NA_VALUES, type CsvOptions, type CsvData, type CsvSource, type CsvStream } from './csv.js';
