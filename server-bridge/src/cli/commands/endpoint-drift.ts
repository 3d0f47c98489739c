import { type DriftWindow, type FeatureDrift, formatTime } from '@emkit/shared';
import type { Command } from 'commander';
import { count } from '../arguments.js';
import { connect } from '../connect.js';
import { printList, printMessage } from '../output.js';

// `emkit endpoint drift`: a stage's data drift per window against its reference, registered under
// `emkit endpoint` from its own file.

const figure = (value: number) => (Math.abs(value) >= 0.001 || value === 0 ? value.toFixed(3) : value.toExponential(1));
const drifted = (features: FeatureDrift[]) =>
  features
    .filter((f) => f.drifted)
    .map((f) => f.feature)
    .join(',');

export function registerEndpointDrift(endpoint: Command): void {
  endpoint
    .command('drift <endpoint>')
    .description(
      "a stage's inputs' and predictions' drift against its reference, per window; the current window's features, worst first",
    )
    .option('--stage <name>', 'this stage (default: the default stage)')
    .option('--windows <n>', 'how many windows, newest (default 24)', count)
    .action(async (name: string, options, command: Command) => {
      const globals = command.optsWithGlobals();
      const drift = await connect(globals).api.getEndpointDrift({
        params: { id: name },
        query: { stage: options.stage, windows: options.windows },
      });
      if (globals.json) return printMessage(globals, '', drift);
      if (!drift.reference) {
        process.stdout.write(
          "no reference: the stage has no drift watch (emkit endpoint stage update ENDPOINT STAGE --drift), or its model's training used no table and none was given\n",
        );
        if (drift.windows.length === 0) return;
      } else {
        const { source, rows, columns } = drift.reference;
        process.stdout.write(`reference: ${source} (${rows} rows; ${columns.join(', ')})\n\n`);
      }
      printList<DriftWindow>(globals, drift.windows, [
        ['START', (w) => formatTime(w.start)],
        ['STAGE', (w) => w.stage],
        ['INPUTS', (w) => w.count],
        ['JUDGED', (w) => (w.judged ? 'yes' : 'no')],
        ['DRIFTED', (w) => drifted(w.features)],
        ['PREDICTION', (w) => (w.prediction ? `${w.prediction.drifted ? 'drifted ' : ''}psi ${figure(w.prediction.psi)}` : '')],
      ]);
      const current = drift.windows.at(-1);
      if (!current?.judged) return;
      process.stdout.write(`\nthe current window (${formatTime(current.start)}), worst first:\n`);
      printList<FeatureDrift>(globals, current.prediction ? [...current.features, current.prediction] : current.features, [
        ['FEATURE', (f) => f.feature],
        ['KIND', (f) => f.kind],
        ['PSI', (f) => figure(f.psi)],
        ['TEST', (f) => f.test],
        ['STATISTIC', (f) => figure(f.statistic)],
        ['P-VALUE', (f) => figure(f.pValue)],
        ['DRIFTED', (f) => (f.drifted ? 'yes' : '')],
      ]);
    });
}
