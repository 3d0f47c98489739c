// What an emkit panel keeps with VS Code so it comes back after a window reload.

export type TensorboardTarget = { training: string } | { experiment: string };

/**
 * What a panel's page keeps with VS Code (webview setState), so the panel comes back after a
 * window reload: the serializers in extension.ts hand it to revive().
 */
export type PanelState =
  | { kind: 'training' | 'endpoint' | 'comparison'; id: string; name: string }
  /** a model view: `id` is the model's name, as its versions are its iterations */
  | { kind: 'model'; id: string; name: string }
  /** a dataset's preview: `id` is the dataset's id */
  | { kind: 'dataset'; id: string; name: string }
  | { kind: 'tensorboard'; target: TensorboardTarget; name: string }
  /** the no-code flow (one panel, `id` "new"): it starts again from its first step */
  | { kind: 'newModel'; id: string; name: string }
  /** a cluster's Ray dashboard: `id` is the cluster's */
  | { kind: 'dashboard'; id: string; name: string }
  /** a batch scoring job's view, a schedule's view, a tuning's view */
  | { kind: 'batch' | 'schedule' | 'tuning'; id: string; name: string }
  /** the schedule editor and the Tune form (`id` "new"): not brought back after a reload, as their drafts aren't kept */
  | { kind: 'scheduleEditor' | 'tuneForm'; id: string; name: string };

/** A saved state as VS Code hands it back: checked, since a page's state is only what the page said. */
export function panelState(state: unknown): PanelState | null {
  if (!state || typeof state !== 'object') return null;
  const { kind, id, name, target } = state as Record<string, unknown>;
  if (typeof name !== 'string') return null;
  if (
    (kind === 'training' ||
      kind === 'endpoint' ||
      kind === 'comparison' ||
      kind === 'model' ||
      kind === 'dataset' ||
      kind === 'newModel' ||
      kind === 'dashboard' ||
      kind === 'batch' ||
      kind === 'schedule' ||
      kind === 'tuning') &&
    typeof id === 'string'
  )
    return { kind, id, name };
  if (kind !== 'tensorboard' || !target || typeof target !== 'object') return null;
  const { training, experiment } = target as Record<string, unknown>;
  if (typeof training === 'string') return { kind, target: { training }, name };
  if (typeof experiment === 'string') return { kind, target: { experiment }, name };
  return null;
}
