import type { ResourceEvent } from '@emkit/shared';
import { describe, expect, it, vi } from 'vitest';

// the extension host's module, as far as raising a notification needs it
const shown: { level: string; text: string; items: string[] }[] = [];
const executed: unknown[][] = [];
let choose: string | undefined;
const show =
  (level: string) =>
  (text: string, ...items: string[]) => {
    shown.push({ level, text, items });
    return Promise.resolve(choose);
  };
vi.mock('vscode', () => ({
  l10n: { t: (text: string, ...args: unknown[]) => text.replace(/\{(\d+)\}/g, (_, i) => String(args[Number(i)])) },
  window: { showErrorMessage: show('error'), showInformationMessage: show('info'), showWarningMessage: show('warning') },
  commands: { executeCommand: (...args: unknown[]) => executed.push(args) },
}));

const { TuningNotices } = await import('./tuning-notices.js');

/** A link whose events the test fires. */
function fakeLink() {
  let listener: (event: ResourceEvent) => void = () => {};
  return {
    link: {
      onEvent: (l: typeof listener) => {
        listener = l;
        return { dispose() {} };
      },
    },
    fire: (event: Partial<ResourceEvent>) =>
      listener({ seq: 1, time: '', resource: 'tunings', id: 'u1', ...event } as ResourceEvent),
  };
}

const tuning = (id: string, state: string, extra: Record<string, unknown> = {}) => ({
  id,
  name: `search-${id}`,
  state,
  stateReason: null,
  objective: { metric: 'val_loss', mode: 'min', aggregate: 'last', step: null },
  best: null,
  ...extra,
});
const best = { number: 7, trainingId: 't7', trainingName: 'search-t7', value: 0.012345, params: { lr: 0.01 } };

describe('the notification when a tuning ends', () => {
  it('says the best trial of a COMPLETE one, once, and makes the model from it when asked', async () => {
    const { link, fire } = fakeLink();
    const notices = new TuningNotices(link as never);
    choose = 'Create model';
    fire({ action: 'updated', data: tuning('u1', 'RUNNING', { best }) as never });
    fire({ action: 'trial', data: { number: 7, state: 'COMPLETE' } as never });
    expect(shown).toEqual([]);
    fire({ action: 'finished', data: tuning('u1', 'COMPLETE', { best }) as never });
    // replayed after a reconnection: nothing more
    fire({ action: 'finished', data: tuning('u1', 'COMPLETE', { best }) as never });
    expect(shown).toEqual([
      {
        level: 'info',
        text: 'Tuning search-u1 finished: best val_loss = 0.01235 in trial 7.',
        items: ['Open tuning', 'Create model'],
      },
    ]);
    expect(notices.shown).toHaveLength(1);
    await vi.waitFor(() =>
      expect(executed).toEqual([['emkit.createModelFromBest', { target: { kind: 'tunings', id: 'u1', name: 'search-u1' } }]]),
    );
  });

  it('says why one FAILED, opens it when asked, and says nothing of one a person stopped', async () => {
    shown.length = 0;
    executed.length = 0;
    const { link, fire } = fakeLink();
    new TuningNotices(link as never);
    choose = 'Open tuning';
    fire({ action: 'finished', id: 'u2', data: tuning('u2', 'STOPPED') as never });
    fire({ action: 'finished', id: 'u3', data: tuning('u3', 'FAILED', { stateReason: 'no trial logged val_loss' }) as never });
    expect(shown).toEqual([
      { level: 'error', text: 'Tuning search-u3 failed: no trial logged val_loss', items: ['Open tuning'] },
    ]);
    await vi.waitFor(() =>
      expect(executed).toEqual([['emkit.openTuning', { target: { kind: 'tunings', id: 'u3', name: 'search-u3' } }]]),
    );
  });
});
