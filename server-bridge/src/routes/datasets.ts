import type { Handlers } from './types.js';

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
  listDatasets: ({ query }, { bridge }) => bridge.datasets.list(query),
  createDataset: ({ body }, { bridge }) => bridge.datasets.create(body),
  // the upload scope hands the raw bytes over as the body (server/uploads.ts)
  uploadDataset: ({ query, body }, { bridge }) => {
    // the schema requires name and filename: validation has them there
    const asked = query as NonNullable<typeof query>;
    return bridge.datasets.upload(asked, (body as unknown as Buffer | undefined) ?? Buffer.alloc(0));
  },
  getDataset: ({ params }, { bridge }) => bridge.datasets.find(params.id),
  updateDataset: ({ params, body }, { bridge }) => bridge.datasets.update(params.id, body),
  deleteDataset: async ({ params }, { bridge }) => {
    await bridge.datasets.delete(params.id);
    return undefined;
  },
  listDatasetVersions: ({ params, query }, { bridge }) => bridge.datasets.versions(params.id, query),
  createDatasetVersion: ({ params }, { bridge }) => bridge.datasets.createVersion(params.id),
  previewDataset: ({ params, query }, { bridge }) => bridge.datasets.preview(params.id, query),
};
