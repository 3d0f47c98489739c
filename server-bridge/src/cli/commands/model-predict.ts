import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { ModelPrediction } from '@emkit/shared';
import type { Command } from 'commander';
import { lookup } from 'mime-types';
import { connect } from '../connect.js';
import { printMessage } from '../output.js';
import { readInstances } from './instances.js';

/** One line per instance: the prediction, and with --scores each class's score. */
function printPrediction(answer: ModelPrediction, scores: boolean): void {
  for (const [i, prediction] of answer.predictions.entries()) {
    let line = JSON.stringify(prediction);
    const row = answer.scores?.[i];
    if (scores && row) {
      const classes = answer.classes ?? row.map((_, c) => c);
      line += `  ${row.map((score, c) => `${JSON.stringify(classes[c])}=${score === null ? 'null' : score.toFixed(4)}`).join(' ')}`;
    }
    process.stdout.write(`${line}\n`);
  }
  process.stderr.write(`(${answer.warm ? 'warm' : 'cold: the worker started'}, ${answer.milliseconds.toFixed(0)} ms)\n`);
}

/** `emkit model predict`: the quick test, a model version called with no endpoint. */
export function registerModelPredict(model: Command): void {
  model
    .command('predict <model>')
    .description('quick test: call a version with no endpoint (its worker starts on the first call and stays warm a few minutes)')
    .option('--data <json>', '{"instances": [...]} or a JSON array of instances')
    .option('--file <path>', 'a file for a model that takes files (image, audio, text): sent as it is')
    .option('--scores', 'also the class scores (the model must give probabilities)')
    .action(async (ref: string, options: { data?: string; file?: string; scores?: boolean }, command: Command) => {
      const globals = command.optsWithGlobals();
      const client = connect(globals);
      let answer: ModelPrediction;
      if (options.file !== undefined) {
        if (options.data !== undefined) command.error('error: give --data or --file, not both');
        let bytes: Buffer;
        try {
          bytes = readFileSync(options.file);
        } catch (error) {
          command.error(`error: can't read ${options.file}: ${(error as Error).message}`);
        }
        const type = lookup(options.file) || 'application/octet-stream';
        answer = await client.api.predictModelFile({
          params: { id: ref },
          query: { filename: basename(options.file), ...(options.scores ? { return_scores: true } : {}) },
          body: new Blob([new Uint8Array(bytes)], { type }),
        });
      } else {
        const { instances } = readInstances(command, options);
        answer = await client.api.predictModel({
          params: { id: ref },
          body: { instances, ...(options.scores ? { return_scores: true } : {}) },
        });
      }
      if (globals.json) return printMessage(globals, '', answer);
      printPrediction(answer, options.scores === true);
    });
}
