import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { removeDir, startBridge, tempDir } from '../support/bridge.js';

const homes: string[] = [];
afterAll(() => {
  for (const home of homes) removeDir(home);
});

describe('kill -9 in the middle of writes', () => {
  it('leaves the store consistent, and the restarted bridge serves', async () => {
    const home = tempDir();
    homes.push(home);
    let bridge = await startBridge({ home });
    const api = bridge.client.api;
    const acknowledged = new Set<string>();
    let stop = false;
    let n = 0;
    // 16 writers creating and updating as fast as they can until the bridge dies under them
    const writers = Array.from({ length: 16 }, async () => {
      while (!stop) {
        const name = `crash-${n++}`;
        try {
          await api.createExperiment({ body: { name, description: 'v1' } });
          acknowledged.add(name);
          await api.updateExperiment({ params: { id: name }, body: { description: 'v2' } });
        } catch {
          return;
        }
      }
    });
    await new Promise((r) => setTimeout(r, 1500));
    await bridge.kill9();
    stop = true;
    await Promise.all(writers);
    expect(acknowledged.size).toBeGreaterThan(20);

    // the file itself: intact, and the event log agrees with the table row for row
    const db = new Database(join(home, 'emkit.db'), { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const rows = db.prepare('SELECT id, name, description FROM experiments').all() as {
        id: string;
        name: string;
        description: string;
      }[];
      const created = db.prepare("SELECT id, data FROM events WHERE resource = 'experiments' AND action = 'created'").all() as {
        id: string;
      }[];
      expect(new Set(created.map((e) => e.id))).toEqual(new Set(rows.map((r) => r.id)));
      const lastUpdate = db
        .prepare(
          "SELECT id, json_extract(data, '$.description') AS description FROM events WHERE resource = 'experiments' AND seq IN (SELECT max(seq) FROM events WHERE resource = 'experiments' GROUP BY id)",
        )
        .all() as { id: string; description: string }[];
      const byId = new Map(rows.map((r) => [r.id, r.description]));
      for (const event of lastUpdate) expect(event.description).toBe(byId.get(event.id));
      // nothing acknowledged was lost
      const names = new Set(rows.map((r) => r.name));
      for (const name of acknowledged) expect(names.has(name)).toBe(true);
    } finally {
      db.close();
    }

    bridge = await startBridge({ home });
    try {
      const listed = await bridge.client.api.listExperiments({ query: { limit: 1000 } });
      expect(listed.total).toBeGreaterThanOrEqual(acknowledged.size);
      const fresh = await bridge.client.api.createExperiment({ body: { name: 'after-crash' } });
      expect(fresh.state).toBe('ACTIVE');
    } finally {
      await bridge.stop();
    }
  });

  it('marks an environment that was being built as CREATE FAILED, with the reason', async () => {
    const home = tempDir();
    homes.push(home);
    let bridge = await startBridge({ home });
    const created = await bridge.client.api.createEnvironment({ body: { name: 'half-built' } });
    expect(created.state).toBe('CREATE IN PROGRESS');
    await bridge.kill9();
    bridge = await startBridge({ home });
    try {
      const after = await bridge.client.api.getEnvironment({ params: { id: 'half-built' } });
      expect(after.state).toBe('CREATE FAILED');
      expect(after.stateReason).toMatch(/bridge stopped/);
      // and it can be cleaned up
      await bridge.client.api.deleteEnvironment({ params: { id: 'half-built' } });
    } finally {
      await bridge.stop();
    }
  });
});
