// `fingrad demo credit` (what `npm start` runs): the whole credit-scoring job on generated data.
import type { Command } from 'commander';
import { ready } from '../../index.js';
import { action, intOption } from '../command.js';
import { runCreditScoring } from '../credit-scoring.js';

interface DemoFlags {
  rows?: string;
  epochs?: string;
  seed?: string;
  out?: string;
  report?: string;
}

export function registerDemo(program: Command): void {
  const demo = program.command('demo').description('runnable examples on built-in generated data');
  demo
    .command('credit')
    .description('credit scoring on generated applicants (categorical fields, missing values): preprocessing pipeline, logistic regression, linear SVM and MLP side by side, held-out risk metrics, report, save and reload')
    .option('--rows <n>', 'generated applicants', '6000')
    .option('--epochs <n>', 'MLP training epochs', '20')
    .option('--seed <n>', 'seed of the data and of every model', '7')
    .option('--out <file>', 'where to save the trained MLP pipeline (default: a temporary folder)')
    .option('--report <file.html>', 'where to write the HTML report (default: a temporary folder)')
    .action(action('demo credit', async (flags: DemoFlags) => {
      await ready();
      const result = await runCreditScoring({
        rows: intOption('rows', flags.rows, 6000),
        epochs: intOption('epochs', flags.epochs, 20),
        seed: intOption('seed', flags.seed, 7),
        ...(flags.out !== undefined && { out: flags.out }),
        ...(flags.report !== undefined && { report: flags.report }),
      });
      if (!result.identicalAfterLoad || !result.gradcheckOk) process.exitCode = 1;
    }));
}
