import type { AlertEvent, ResourceEvent } from '@emkit/shared';
import { describe, expect, it, vi } from 'vitest';

// the extension host's module, as far as raising a notification needs it
const shown: { how: string; text: string; items: string[] }[] = [];
const executed: unknown[][] = [];
let choose: string | undefined;
const show =
  (how: string) =>
  (text: string, ...items: string[]) => {
    shown.push({ how, text, items });
    return Promise.resolve(choose);
  };
vi.mock('vscode', () => ({
  l10n: { t: (text: string, ...args: unknown[]) => text.replace(/\{(\d+)\}/g, (_, i) => String(args[Number(i)])) },
  window: { showErrorMessage: show('error'), showWarningMessage: show('warning'), showInformationMessage: show('info') },
  commands: { executeCommand: (...args: unknown[]) => executed.push(args) },
}));

const { AlertNotices } = await import('./alert-notices.js');

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
      listener({ seq: 1, time: '', resource: 'alerts', id: 'r1', action: 'alert', ...event } as ResourceEvent),
  };
}

const alert = (seq: number, kind: AlertEvent['kind'], severity: AlertEvent['severity']) =>
  ({
    seq,
    ruleId: 'r1',
    rule: 'iris-latency',
    kind,
    severity,
    series: 'endpoint.p99LatencyMs',
    resource: { kind: 'endpoints', id: 'e1', name: 'iris' },
    value: 812,
    threshold: 500,
    message: 'endpoint iris: p99 latency 812 ms > 500 ms for 60 s',
    webhook: null,
    time: '2026-12-07T03:00:00.000Z',
  }) as unknown as ResourceEvent['data'];

describe('the notification when an alert rule fires or resolves', () => {
  it('is as loud as the rule, once per event, and opens the endpoint when asked', async () => {
    const { link, fire } = fakeLink();
    const notices = new AlertNotices(link as never);
    choose = 'Open endpoint';
    // a rule's own change is the Alerts view's business
    fire({ action: 'updated', data: { id: 'r1', name: 'iris-latency' } as never });
    expect(shown).toEqual([]);
    fire({ data: alert(7, 'FIRING', 'critical') });
    // the same event again, as after a reconnection: nothing more
    fire({ data: alert(7, 'FIRING', 'critical') });
    fire({ data: alert(8, 'RESOLVED', 'critical') });
    expect(shown).toEqual([
      {
        how: 'error',
        text: 'Alert iris-latency is firing: endpoint iris: p99 latency 812 ms > 500 ms for 60 s',
        items: ['Open endpoint'],
      },
      {
        how: 'info',
        text: 'Alert iris-latency resolved: endpoint iris: p99 latency 812 ms > 500 ms for 60 s',
        items: ['Open endpoint'],
      },
    ]);
    expect(notices.shown).toHaveLength(2);
    await vi.waitFor(() =>
      expect(executed[0]).toEqual(['emkit.openEndpoint', { target: { kind: 'endpoints', id: 'e1', name: 'iris' } }]),
    );
  });
});
