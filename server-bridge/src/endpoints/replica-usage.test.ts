import { describe, expect, it } from 'vitest';
import { ReplicaUsagePushes } from './replica-usage.js';

describe('ReplicaUsagePushes', () => {
  const token = 'a-bridge-token-of-forty-three-characters-xyz';

  it('gives no push config until the bridge knows its address, nor with usage off', () => {
    const pushes = new ReplicaUsagePushes(token);
    pushes.everySeconds = 5;
    expect(pushes.configFor('e1', 'prod', 's1')).toBeNull();
    pushes.bridgeUrl = 'http://127.0.0.1:8765';
    pushes.everySeconds = 0;
    expect(pushes.configFor('e1', 'prod', 's1')).toBeNull();
  });

  it("says where to push a stage's replicas' usage, with a credential of the stage's own", () => {
    const pushes = new ReplicaUsagePushes(token);
    pushes.bridgeUrl = 'http://127.0.0.1:8765';
    pushes.everySeconds = 5;
    const config = pushes.configFor('e1', 'a b', 's1');
    expect(config).toMatchObject({ url: 'http://127.0.0.1:8765/api/v1/endpoints/e1/stages/a%20b/push', everySeconds: 5 });
    const own = config?.token as string;
    expect(own).toMatch(/^[0-9a-f]{64}$/);
    expect(own).not.toContain(token);
    expect(pushes.accepts('s1', own)).toBe(true);
    // another stage's, the bridge's own token, nothing: refused
    expect(pushes.accepts('s2', own)).toBe(false);
    expect(pushes.accepts('s1', token)).toBe(false);
    expect(pushes.accepts('s1', '')).toBe(false);
    // the same stage's credential after a restart (the same token): the replicas left running are accepted
    expect(new ReplicaUsagePushes(token).accepts('s1', own)).toBe(true);
    expect(new ReplicaUsagePushes(`${token}-rotated`).accepts('s1', own)).toBe(false);
  });
});
