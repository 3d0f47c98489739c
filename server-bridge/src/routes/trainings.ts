import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
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
    const path = bridge.trainings.filePath(params.id, query?.path ?? '');
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) throw notFound('file', query?.path ?? '');
    // streamed as it is, past the JSON serializer
    reply.type(CONTENT_TYPES[extname(path)] ?? 'application/octet-stream');
    reply.header('content-length', info.size);
    return reply.send(createReadStream(path)) as never;
  },
};
