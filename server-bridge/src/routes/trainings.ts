import { extname } from 'node:path';
import { FileRefused, openRegularFile } from '../runtime/safe-files.js';
import { notFound } from '../server/errors.js';
import type { Handlers } from './types.js';

const CONTENT_TYPES: Record<string, string> = {
  '.ipynb': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.log': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.png': 'image/png',
};

export const trainingHandlers: Handlers<
  | 'listTrainings'
  | 'createTraining'
  | 'getTraining'
  | 'updateTraining'
  | 'stopTraining'
  | 'copyTraining'
  | 'deleteTraining'
  | 'getTrainingLog'
  | 'getTrainingMetrics'
  | 'listTrainingFiles'
  | 'getTrainingFile'
> = {
  listTrainings: ({ query }, { bridge }) => bridge.trainings.list(query),
  createTraining: ({ body }, { bridge }) => bridge.trainings.create(body),
  getTraining: ({ params }, { bridge }) => bridge.trainings.find(params.id),
  updateTraining: ({ params, body }, { bridge }) => bridge.trainings.update(params.id, body),
  stopTraining: ({ params }, { bridge }) => bridge.trainings.stop(params.id),
  copyTraining: ({ params, body }, { bridge }) => bridge.trainings.copy(params.id, body),
  deleteTraining: async ({ params }, { bridge }) => {
    await bridge.trainings.delete(params.id);
    return undefined;
  },
  getTrainingLog: ({ params, query }, { bridge }) => bridge.trainings.readLog(params.id, query),
  getTrainingMetrics: ({ params, query }, { bridge }) => bridge.trainings.metricsOf(params.id, query),
  listTrainingFiles: ({ params }, { bridge }) => bridge.trainings.files(params.id),
  getTrainingFile: async ({ params, query }, { bridge, reply }) => {
    const path = await bridge.trainings.filePath(params.id, query?.path ?? '');
    // a regular file only (a FIFO would hang the stream), and no link swapped in since the check
    const opened = await openRegularFile(path, Number.MAX_SAFE_INTEGER, { noFollow: true }).catch((error: unknown) => {
      if (error instanceof FileRefused || (error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw notFound('file', query?.path ?? '');
      }
      throw error;
    });
    // streamed as it is, past the JSON serializer
    reply.type(CONTENT_TYPES[extname(path)] ?? 'application/octet-stream');
    reply.header('content-length', opened.size);
    if (opened.size === 0) {
      await opened.handle.close();
      return reply.send('') as never;
    }
    // no further than the size measured: a file still being written is sent as it was
    return reply.send(opened.handle.createReadStream({ start: 0, end: opened.size - 1 })) as never;
  },
};
