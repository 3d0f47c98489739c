import { formatDuration } from '@emkit/shared';
import type { Command } from 'commander';
import { connect } from '../connect.js';
import { printItem } from '../output.js';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('is a bridge running, where, and what it holds')
    .action(async (_options, command: Command) => {
      const globals = command.optsWithGlobals();
      const client = connect(globals);
      const status = await client.api.getStatus({});
      printItem(globals, status, [
        ['url', () => client.baseUrl],
        ['version', (s) => s.version],
        ['home', (s) => s.home],
        ['pid', (s) => s.pid],
        ['uptime', (s) => formatDuration(s.uptimeSeconds)],
        ...Object.keys(status.counts).map((k) => [k, () => status.counts[k]] as [string, () => unknown]),
        [
          'quick tests',
          (s) => s.quickTests.map((w) => `${w.model} (${w.state.toLowerCase()}, pid ${w.pid ?? '-'})`).join(', ') || 'none',
        ],
      ]);
    });
}
