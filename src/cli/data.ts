// Reading the user's CSV for a command: the file's own errors (line, column) pass through, and a
// column named on the command line that the file lacks is named with the closest one it has.
import { readCsv, type CsvData, type CsvOptions } from '../finance/csv.js';
import type { Table } from '../finance/table.js';
import { type PriceSeries, priceSeries } from '../finance/market/series.js';
import { closest } from '../validate.js';
import { UsageError } from './command.js';

export async function loadCsv(path: string, options?: CsvOptions): Promise<CsvData> {
  return readCsv(path, options);
}

/** The name of a column the user asked for, checked against the table (and the file name for messages). */
export function requireColumn(table: Table, name: string, file: string, option: string): string {
  if (table.has(name)) return name;
  const hint = closest(name, table.columnNames);
  throw new UsageError(`${file}: no column '${name}' for ${option}${hint ? ` (did you mean '${hint}'?)` : ''}; columns: ${table.columnNames.join(', ')}`);
}

/** The date column: the one named, or the first whose name contains "date". */
export function dateColumn(table: Table, file: string, named: string | undefined): string {
  if (named !== undefined) return requireColumn(table, named, file, '--date');
  const found = table.columnNames.find((c) => /date/i.test(c));
  if (found === undefined) throw new UsageError(`${file}: no date column found; name it with --date (columns: ${table.columnNames.join(', ')})`);
  return found;
}

/**
 * A column the command needs as numbers. When the file's values made it categorical, the file
 * is read again with the column declared numeric, so the error names the first line at fault.
 */
export async function numericColumn(csv: CsvData, name: string, file: string, option: string): Promise<Float64Array> {
  const col = requireColumn(csv.table, name, file, option);
  if (csv.table.typeOf(col) === 'categorical') await readCsv(file, { types: { [col]: 'numeric' } });
  const values = csv.table.numeric(col, `${file}: column '${col}'`);
  const gap = values.findIndex(Number.isNaN);
  // Data rows start on line 2, after the header (blank lines aside).
  if (gap >= 0) throw new UsageError(`${file}, row ${gap + 1} (line ${gap + 2} if no blank lines precede it), column '${col}': the value is missing; ${option} needs a value on every row`);
  return values;
}

/** The price column of a file as a date-sorted series, with the parsed file for other columns. */
export async function loadPrices(file: string, column: string, date: string | undefined): Promise<{ csv: CsvData; price: string; date: string; series: PriceSeries }> {
  const csv = await loadCsv(file);
  const price = requireColumn(csv.table, column, file, '--column');
  const values = await numericColumn(csv, price, file, '--column');
  const dateName = dateColumn(csv.table, file, date);
  return { csv, price, date: dateName, series: priceSeries(csv.table.column(dateName) as string[], values) };
}
