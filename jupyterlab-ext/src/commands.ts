/** Every emkit command's id, in one place: the palette, the sidebar's buttons and the tests use these. */
export const CommandIds = {
  refresh: 'emkit:refresh',
  openSettings: 'emkit:open-settings',
  showPanel: 'emkit:show-panel',
  deleteEnvironment: 'emkit:delete-environment',
  deleteExperiment: 'emkit:delete-experiment',
  deleteTraining: 'emkit:delete-training',
  stopTraining: 'emkit:stop-training',
  deleteModel: 'emkit:delete-model',
  activateModel: 'emkit:activate-model',
  deactivateModel: 'emkit:deactivate-model',
  deleteEndpoint: 'emkit:delete-endpoint',
  submitNotebook: 'emkit:submit-notebook',
  openTraining: 'emkit:open-training',
  copyTraining: 'emkit:copy-training',
  openTensorboard: 'emkit:open-tensorboard',
  openClusterDashboard: 'emkit:open-cluster-dashboard',
  createModel: 'emkit:create-model',
  promoteModel: 'emkit:promote-model',
  openModel: 'emkit:open-model',
  evaluateModel: 'emkit:evaluate-model',
  createEndpoint: 'emkit:create-endpoint',
  openEndpoint: 'emkit:open-endpoint',
  addStage: 'emkit:add-stage',
  setDefaultStage: 'emkit:set-default-stage',
  deleteStage: 'emkit:delete-stage',
  createEnvironment: 'emkit:create-environment',
  openEnvironment: 'emkit:open-environment',
  compareExperiment: 'emkit:compare-experiment',
  openDataset: 'emkit:open-dataset',
  deleteDataset: 'emkit:delete-dataset',
  uploadDataset: 'emkit:upload-dataset',
  deleteRecipe: 'emkit:delete-recipe',
  saveRecipe: 'emkit:save-recipe',
  trainRecipe: 'emkit:train-recipe',
  newModelNoCode: 'emkit:new-model-no-code',
} as const;

/** What a resource command takes: the id (or name) of what to act on; without it the command asks. */
export interface ResourceArgs {
  id?: string;
}
