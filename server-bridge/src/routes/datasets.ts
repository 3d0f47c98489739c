import { HttpError } from '../server/errors.js';
import type { Handlers } from './types.js';

// placeholders of the issue-16 contract: the datasets engineer replaces them
const notYet = (): never => {
  throw new HttpError(404, 'not_found', 'datasets are not built yet');
};

export const datasetHandlers: Handlers<
  | 'listDatasets'
  | 'createDataset'
  | 'uploadDataset'
  | 'getDataset'
  | 'updateDataset'
  | 'deleteDataset'
  | 'listDatasetVersions'
  | 'createDatasetVersion'
  | 'previewDataset'
> = {
  listDatasets: notYet,
  createDataset: notYet,
  uploadDataset: notYet,
  getDataset: notYet,
  updateDataset: notYet,
  deleteDataset: notYet,
  listDatasetVersions: notYet,
  createDatasetVersion: notYet,
  previewDataset: notYet,
};
