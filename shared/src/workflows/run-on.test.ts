import { describe, expect, it } from 'vitest';
import type { Cluster, ClusterNode } from '../schemas/clusters.js';
import { placementChoices, RunOnError, runOnChoices, stageTarget, THIS_MACHINE, trainingTarget } from './run-on.js';

const node = (alive: boolean): ClusterNode => ({
  id: 'n',
  address: '10.0.0.1',
  head: false,
  alive,
  state: alive ? 'ALIVE' : 'DEAD',
  cpus: 1,
  gpus: 0,
  memoryBytes: 1,
  objectStoreBytes: 1,
});

function cluster(name: string, state: Cluster['state'], extra: Partial<Cluster> = {}): Cluster {
  return {
    id: `id-${name}`,
    name,
    kind: 'ray',
    address: 'http://127.0.0.1:8265',
    hasToken: false,
    serveAddress: null,
    isDefault: false,
    local: null,
    state,
    stateReason: null,
    rayVersion: '2.60.0',
    nodes: [node(true), node(true), node(false)],
    checkedAt: null,
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    ...extra,
  };
}

describe('the "Run on" choice', () => {
  it('offers this machine first, then each cluster with its state and live nodes; an unusable one disabled with why', () => {
    const { choices, initial } = runOnChoices([
      cluster('zeta', 'UNREACHABLE', { stateReason: 'connection refused' }),
      cluster('alpha', 'REACHABLE'),
      cluster('beta', 'STOPPED'),
    ]);
    expect(choices).toEqual([
      { value: THIS_MACHINE, label: 'This machine', disabled: false },
      { value: 'alpha', label: 'alpha (REACHABLE, 2 nodes)', disabled: false },
      { value: 'beta', label: 'beta (STOPPED): STOPPED', disabled: true },
      { value: 'zeta', label: 'zeta (UNREACHABLE): connection refused', disabled: true },
    ]);
    expect(initial).toBe(THIS_MACHINE);
  });

  it('starts on the default cluster when it can be used, and on this machine when it cannot', () => {
    expect(runOnChoices([cluster('a', 'REACHABLE', { isDefault: true })]).initial).toBe('a');
    expect(runOnChoices([cluster('a', 'REACHABLE', { isDefault: true })]).choices[1]?.label).toBe(
      'a (REACHABLE, 2 nodes, default)',
    );
    expect(runOnChoices([cluster('a', 'UNREACHABLE', { isDefault: true })]).initial).toBe(THIS_MACHINE);
  });

  it('a copy starts where the original ran, when that cluster can still be used', () => {
    const clusters = [cluster('a', 'REACHABLE', { isDefault: true }), cluster('b', 'REACHABLE'), cluster('c', 'STOPPED')];
    expect(runOnChoices(clusters, undefined, 'b').initial).toBe('b');
    // the original ran on this machine: the default cluster doesn't take the copy
    expect(runOnChoices(clusters, undefined, null).initial).toBe(THIS_MACHINE);
    // its cluster is stopped now: this machine, not the default
    expect(runOnChoices(clusters, undefined, 'c').initial).toBe(THIS_MACHINE);
  });

  it('speaks the front end language through its translator', () => {
    const t = (text: string, ...args: (string | number)[]) => `[${text}|${args.join(',')}]`;
    expect(runOnChoices([], t).choices[0]?.label).toBe('[This machine|]');
    expect(placementChoices(t).map(([value]) => value)).toEqual(['SPREAD', 'STRICT_SPREAD', 'PACK']);
  });
});

describe("a training's target", () => {
  it('says this machine outright, so a default cluster does not take it', () => {
    expect(trainingTarget(THIS_MACHINE, 'PACK')).toEqual({ cluster: null });
  });

  it('names the cluster with the placement strategy chosen, and only a known one', () => {
    expect(trainingTarget('rt', 'STRICT_SPREAD')).toEqual({ cluster: 'rt', placementStrategy: 'STRICT_SPREAD' });
    expect(trainingTarget('rt', 'ANYWHERE')).toEqual({ cluster: 'rt' });
  });
});

describe("a stage's target", () => {
  it('has no autoscaling when both boxes are empty', () => {
    expect(stageTarget(THIS_MACHINE)).toEqual({ cluster: null });
    expect(stageTarget('rt', ' ', '')).toEqual({ cluster: 'rt' });
  });

  it('takes both bounds on a cluster', () => {
    expect(stageTarget('rt', '0', '3')).toEqual({ cluster: 'rt', autoscaling: { minReplicas: 0, maxReplicas: 3 } });
  });

  it.each([
    [THIS_MACHINE, '1', '2', 'Autoscaling is for a stage on a cluster'],
    ['rt', '1', '', 'give both minimum and maximum replicas'],
    ['rt', 'two', '3', '"two" is not a whole number from 0 to 16'],
    ['rt', '1', '17', '"17" is not a whole number from 1 to 16'],
    ['rt', '1', '0', '"0" is not a whole number from 1 to 16'],
    ['rt', '3', '2', 'the minimum (3) is more than the maximum (2)'],
  ])('refuses %s %s..%s: %s', (runOn, min, max, message) => {
    expect(() => stageTarget(runOn, min, max)).toThrow(RunOnError);
    expect(() => stageTarget(runOn, min, max)).toThrow(message);
  });
});
