#!/usr/bin/env node
// `fingrad`: the command line. Each subcommand lives in commands/<name>.ts and registers itself;
// `npm start` runs `fingrad demo credit`.
import { Command, CommanderError } from 'commander';
import { USER_ERROR_EXIT } from './command.js';
import { registerAnomalies } from './commands/anomalies.js';
import { registerBacktest } from './commands/backtest.js';
import { registerDemo } from './commands/demo.js';
import { registerEvaluate } from './commands/evaluate.js';
import { registerExplain } from './commands/explain.js';
import { registerExport } from './commands/export.js';
import { registerForecast } from './commands/forecast.js';
import { registerInspect } from './commands/inspect.js';
import { registerMonitor } from './commands/monitor.js';
import { registerPredict } from './commands/predict.js';
import { registerTrain } from './commands/train.js';
import { VERSION } from './version.js';

const program = new Command('fingrad')
  .description('fingrad: credit scoring, risk metrics, forecasting and anomaly detection on your CSV files, with a deep-learning engine in TypeScript and WebAssembly')
  .version(VERSION)
  .showSuggestionAfterError(true)
  .exitOverride();

registerDemo(program);
registerTrain(program);
registerEvaluate(program);
registerPredict(program);
registerInspect(program);
registerForecast(program);
registerBacktest(program);
registerExplain(program);
registerMonitor(program);
registerExport(program);
registerAnomalies(program);

for (const cmd of program.commands) cmd.exitOverride();

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (!(e instanceof CommanderError)) throw e;
  // Commander has printed its one-line message (or the help / version, which exit 0).
  process.exitCode = e.exitCode === 0 ? 0 : USER_ERROR_EXIT;
}
