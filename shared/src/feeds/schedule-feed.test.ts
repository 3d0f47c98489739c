import { describe, expect, it } from 'vitest';
import type { EmkitClient } from '../api/client.js';
import type { ResourceEvent } from '../schemas/events.js';
import type { ScheduleViewMessage } from './protocol.js';
import { ScheduleFeed } from './schedule-feed.js';

// The feed's choices with the bridge's answers stood in for; the real bridge is driven by the
// editors' end-to-end tests.

function stub() {
  const calls: string[] = [];
  let runs = [{ number: 1, state: 'COMPLETE' }];
  const schedule = (state: string) => ({ id: 's1', name: 'nightly', state });
  const api = {
    getSchedule: async ({ params }: { params: { id: string } }) => {
      calls.push(`get ${params.id}`);
      return schedule('ACTIVE');
    },
    listScheduleRuns: async ({ params }: { params: { id: string } }) => {
      calls.push(`runs ${params.id}`);
      return { items: runs, total: runs.length };
    },
    pauseSchedule: async () => schedule('PAUSED'),
    resumeSchedule: async () => schedule('ACTIVE'),
    runSchedule: async () => {
      calls.push('run now');
      runs = [{ number: 2, state: 'RUNNING' }, ...runs];
      return runs[0];
    },
  };
  return { client: { api } as unknown as EmkitClient, calls, schedule };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('the schedule feed', () => {
  it('posts the schedule by name and its history, then both again when the bridge says it changed', async () => {
    const { client, calls, schedule } = stub();
    const messages: ScheduleViewMessage[] = [];
    const feed = new ScheduleFeed(client, 'nightly', (m) => messages.push(m));
    feed.start();
    await settle();
    expect(messages.map((m) => m.type)).toEqual(['schedule', 'runs']);
    const event: ResourceEvent = {
      seq: 2,
      time: '2026-12-06T00:00:00.000Z',
      resource: 'schedules',
      action: 'updated',
      id: 's1',
      data: { ...schedule('ACTIVE'), lastRun: { number: 1 } } as never,
    };
    feed.handleEvent(event);
    feed.handleEvent({ ...event, id: 's2' });
    await settle();
    expect(messages.map((m) => m.type)).toEqual(['schedule', 'runs', 'schedule', 'runs']);
    // by id once the schedule is known
    expect(calls).toEqual(['get nightly', 'runs s1', 'runs s1']);
    feed.handleEvent({ ...event, action: 'deleted', data: null as never });
    expect(messages.at(-1)).toEqual({ type: 'deleted' });
  });

  it('pauses, resumes and runs now itself; delete and opening a resource are the host’s', async () => {
    const { client, calls } = stub();
    const messages: ScheduleViewMessage[] = [];
    const feed = new ScheduleFeed(client, 's1', (m) => messages.push(m));
    expect(feed.act({ action: 'pause' })).toBe(true);
    await settle();
    expect(messages.at(-1)).toMatchObject({ type: 'schedule', schedule: { state: 'PAUSED' } });
    expect(feed.act({ action: 'resume' })).toBe(true);
    await settle();
    expect(messages.at(-1)).toMatchObject({ type: 'schedule', schedule: { state: 'ACTIVE' } });
    expect(feed.act({ action: 'runNow' })).toBe(true);
    await settle();
    await settle();
    expect(calls).toContain('run now');
    expect(messages.at(-1)).toMatchObject({ type: 'runs', runs: [{ number: 2 }, { number: 1 }] });
    expect(feed.act({ action: 'delete' })).toBe(false);
    expect(feed.act({ action: 'openResource', resource: 'trainings', id: 't1' })).toBe(false);
  });
});
