import {
  BatchErrorList,
  BatchErrorsQuery,
  BatchInference,
  BatchInferenceCreate,
  BatchInferenceList,
  BatchInferenceListQuery,
} from '../../schemas/batch-inferences.js';
import { IdParams, LogChunk, LogQuery } from '../../schemas/common.js';
import type { RouteDef } from './route-def.js';

/** The routes of batch scoring (OpenAPI tag `batch-inferences`): a model version scores a whole dataset. */
export const batchInferenceRoutes = {
  listBatchInferences: {
    method: 'GET',
    url: '/api/v1/batch-inferences',
    tag: 'batch-inferences',
    summary: 'List batch scoring jobs, newest first',
    querystring: BatchInferenceListQuery,
    status: 200,
    response: BatchInferenceList,
  },
  createBatchInference: {
    method: 'POST',
    url: '/api/v1/batch-inferences',
    tag: 'batch-inferences',
    summary: "Score a table or a folder of files with a model version, into the input's rows with their predictions, in order",
    body: BatchInferenceCreate,
    status: 201,
    response: BatchInference,
  },
  getBatchInference: {
    method: 'GET',
    url: '/api/v1/batch-inferences/:id',
    tag: 'batch-inferences',
    summary: 'Get a batch scoring job with its progress',
    params: IdParams,
    status: 200,
    response: BatchInference,
  },
  stopBatchInference: {
    method: 'POST',
    url: '/api/v1/batch-inferences/:id/stop',
    tag: 'batch-inferences',
    summary: 'Stop a batch scoring job within 5 s, keeping what was scored (STOP IN PROGRESS → STOPPED)',
    params: IdParams,
    status: 202,
    response: BatchInference,
  },
  deleteBatchInference: {
    method: 'DELETE',
    url: '/api/v1/batch-inferences/:id',
    tag: 'batch-inferences',
    summary: 'Delete a settled batch scoring job and its own folder (an `output` folder the user named is kept)',
    params: IdParams,
    status: 204,
    response: null,
  },
  getBatchInferenceLog: {
    method: 'GET',
    url: '/api/v1/batch-inferences/:id/log',
    tag: 'batch-inferences',
    summary: "The workers' log from a byte offset, cut at a line end",
    params: IdParams,
    querystring: LogQuery,
    status: 200,
    response: LogChunk,
  },
  listBatchInferenceErrors: {
    method: 'GET',
    url: '/api/v1/batch-inferences/:id/errors',
    tag: 'batch-inferences',
    summary: 'The first bad items of errors.jsonl (row number or file path, and why), with how many there are',
    params: IdParams,
    querystring: BatchErrorsQuery,
    status: 200,
    response: BatchErrorList,
  },
} as const satisfies Record<string, RouteDef>;
