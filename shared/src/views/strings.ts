/**
 * Every text the detail views pass to `t()`, in English with `{0}` placeholders. Each editor's
 * catalog test checks it has a translation for all of them (JupyterLab's Korean catalog,
 * VS Code's l10n bundle).
 */
export const VIEW_STRINGS = [
  // log view
  'Search the log',
  '{0} of {1}',
  'No matches',
  'Previous match',
  'Next match',
  'Jump to end',
  '{0} lines',
  // training view
  'State',
  'Duration',
  'Instances',
  'Environment',
  'Experiment',
  'Hyperparameters',
  'Datasets',
  'Logs',
  'Metrics',
  'Files',
  'Stop',
  'Copy',
  'Create model',
  'Open TensorBoard',
  'No metrics yet: log scalars to EM_TENSORBOARD_LOG_DIR.',
  'No files yet.',
  'none',
  // endpoint view
  'Stages',
  'Stage',
  'Model',
  'Ready',
  'Resource path',
  'Default',
  'Set default',
  'Delete',
  'Add stage',
  'Try it',
  'Default stage',
  'Send',
  'Request body (JSON)',
  'The request body is not JSON: {0}',
  'Sending…',
  'HTTP {0} in {1} ms',
  'Requests per minute',
  'Latency (ms)',
  'Requests',
  'Errors',
  'No requests in the last hour.',
] as const;

export type ViewString = (typeof VIEW_STRINGS)[number];
