import type { ResourceEvent } from '@emkit/shared';
import { describe, expect, it, vi } from 'vitest';

// the extension host's module, as far as raising a notification needs it
const shown: { text: string; items: string[] }[] = [];
const executed: unknown[][] = [];
let choose: string | undefined;
vi.mock('vscode', () => ({
  l10n: { t: (text: string, ...args: unknown[]) => text.replace(/\{(\d+)\}/g, (_, i) => String(args[Number(i)])) },
  window: {
    showErrorMessage: (text: string, ...items: string[]) => {
      shown.push({ text, items });
      return Promise.resolve(choose);
    },
  },
  commands: { executeCommand: (...args: unknown[]) => executed.push(args) },
}));

const { ScheduleNotices } = await import('./schedule-notices.js');

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
      listener({ seq: 1, time: '', resource: 'schedules', id: 's1', ...event } as ResourceEvent),
  };
}

const withRun = (id: string, state: string, reason: string | null = null) => ({
  id: 's1',
  name: 'nightly',
  lastRun: { id, number: 4, state, reason },
});

describe('the notification when a scheduled run fails', () => {
  it('says which run failed and why, once per run, and opens the schedule when asked', async () => {
    const { link, fire } = fakeLink();
    const notices = new ScheduleNotices(link as never);
    choose = 'Open schedule';
    fire({ action: 'updated', data: withRun('r4', 'FAILED', 'step 1 (training): boom') });
    fire({ action: 'finished', data: withRun('r3', 'COMPLETE') });
    expect(shown).toEqual([]);
    fire({ action: 'finished', data: withRun('r4', 'FAILED', 'step 1 (training): boom') });
    // the same event again, as after a reconnection: nothing more
    fire({ action: 'finished', data: withRun('r4', 'FAILED', 'step 1 (training): boom') });
    expect(shown).toEqual([{ text: 'Schedule nightly: run 4 failed: step 1 (training): boom', items: ['Open schedule'] }]);
    expect(notices.shown).toEqual(['Schedule nightly: run 4 failed: step 1 (training): boom']);
    await vi.waitFor(() =>
      expect(executed).toEqual([['emkit.openSchedule', { target: { kind: 'schedules', id: 's1', name: 'nightly' } }]]),
    );
  });
});
