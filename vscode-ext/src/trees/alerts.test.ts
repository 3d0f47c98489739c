import { type AlertEvent, type AlertRule, ResourceStore } from '@emkit/shared';
import { describe, expect, it, vi } from 'vitest';

// the extension host's module, as far as building tree rows needs it
vi.mock('vscode', async () => (await import('./fake-vscode.test-support.js')).fakeVscode());

const { AlertsTree } = await import('./alerts.js');

const rule = (name: string, state: AlertRule['state'], value: number | null): AlertRule => ({
  id: `r-${name}`,
  name,
  description: '',
  series: 'endpoint.p99LatencyMs',
  resource: { kind: 'endpoints', id: 'e1', name: 'iris' },
  stage: null,
  feature: null,
  metric: null,
  op: '>',
  threshold: 500,
  forSeconds: 60,
  severity: 'critical',
  webhook: null,
  enabled: true,
  state,
  value,
  evaluatedAt: null,
  createdAt: '2026-12-07T00:00:00.000Z',
  updatedAt: '2026-12-07T00:00:00.000Z',
});

const event = (seq: number, kind: AlertEvent['kind']): AlertEvent => ({
  seq,
  ruleId: 'r-iris-latency',
  rule: 'iris-latency',
  kind,
  severity: 'critical',
  series: 'endpoint.p99LatencyMs',
  resource: { kind: 'endpoints', id: 'e1', name: 'iris' },
  value: kind === 'FIRING' ? 812 : 40,
  threshold: 500,
  message: `endpoint iris: p99 latency ${kind === 'FIRING' ? 812 : 40} ms`,
  webhook: seq === 2 ? { state: 'failed', attempts: 3, error: 'connect ECONNREFUSED' } : null,
  time: `2026-12-07T00:0${seq}:00.000Z`,
});

describe('the alerts tree', () => {
  it("shows each rule's state and value, its condition, and under it the latest firing and resolving; a click opens its endpoint", async () => {
    const store = new ResourceStore();
    const list = async <T>(items: T[]) => ({ items, total: items.length });
    const none = () => list([]);
    await store.load({
      api: {
        listEnvironments: none,
        listExperiments: none,
        listTrainings: none,
        listModels: none,
        listEvaluations: none,
        listEndpoints: none,
        listClusters: none,
        listDatasets: none,
        listRecipes: none,
        listBatchInferences: none,
        listSchedules: none,
        listAlertRules: () => list([rule('iris-latency', 'FIRING', 812), rule('iris-errors', 'OK', null)]),
        listTunings: none,
        listAlertEvents: async () => ({ items: [event(1, 'FIRING'), event(2, 'RESOLVED'), event(3, 'FIRING')] }),
      },
    } as never);
    const tree = new AlertsTree(store, 'alerts');
    const rows = tree.getChildren();
    expect(rows.map((r) => [r.item.label, r.item.description, r.item.contextValue])).toEqual([
      ['iris-errors', 'OK · no data', 'alert'],
      ['iris-latency', 'FIRING · now 812', 'alert.firing'],
    ]);
    expect(rows[1]?.item.tooltip).toBe('iris: p99 latency (ms) > 500 for 60 s');
    expect(rows[1]?.item.iconPath).toMatchObject({ id: 'error' });
    expect(rows[1]?.item.command).toEqual({
      command: 'emkit.openEndpoint',
      title: '',
      arguments: [{ target: { kind: 'endpoints', id: 'e1', name: 'iris' } }],
    });
    // deleting a rule is the generic delete of its row's target
    expect(rows[1]?.target).toEqual({ kind: 'alerts', id: 'r-iris-latency', name: 'iris-latency' });
    const events = tree.getChildren(rows[1]);
    expect(events.map((e) => e.item.label)).toEqual([
      expect.stringMatching(/^FIRING /),
      expect.stringMatching(/^RESOLVED /),
      expect.stringMatching(/^FIRING /),
    ]);
    expect(events[1]?.item.tooltip).toBe('endpoint iris: p99 latency 40 ms\nconnect ECONNREFUSED');
    expect(rows[0]?.children).toBeUndefined();
  });
});
