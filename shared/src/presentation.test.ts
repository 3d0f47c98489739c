import { describe, expect, it } from 'vitest';
import { ENDPOINT_STATES, ENVIRONMENT_STATES, STAGE_STATES, TRAINING_STATES } from './index.js';
import { batchFraction, batchProgressText, runTone, stageHealth, stateTone, trainingSeconds } from './presentation.js';

describe('state badges', () => {
  it('reads settled success as ok, failures as failed, a stop as stopped and the rest as busy', () => {
    expect(stateTone('COMPLETE')).toBe('ok');
    expect(stateTone('ACTIVE')).toBe('ok');
    expect([stateTone('REACHABLE'), stateTone('ALIVE'), stateTone('STARTING'), stateTone('CONNECTING')]).toEqual([
      'ok',
      'ok',
      'busy',
      'busy',
    ]);
    expect([stateTone('UNREACHABLE'), stateTone('START FAILED'), stateTone('DEAD')]).toEqual(['failed', 'failed', 'failed']);
    expect(stateTone('RUNNING')).toBe('ok');
    expect(stateTone('FAIL TRAIN')).toBe('failed');
    expect(stateTone('DEPLOY FAILED')).toBe('failed');
    expect(stateTone('STOPPED')).toBe('stopped');
    expect(stateTone('CREATE REQUESTED')).toBe('busy');
    expect(stateTone('STOP IN PROGRESS')).toBe('busy');
  });

  it('gives every state of every resource a tone, failures never a calm one', () => {
    for (const state of [...TRAINING_STATES, ...ENVIRONMENT_STATES, ...ENDPOINT_STATES, ...STAGE_STATES]) {
      expect(['ok', 'busy', 'failed', 'stopped']).toContain(stateTone(state));
      if (state.includes('FAIL')) expect(stateTone(state)).toBe('failed');
    }
  });
});

describe('training duration', () => {
  it('is null before the start, runs on with the clock, and stops at the end', () => {
    expect(trainingSeconds({ startedAt: null, endedAt: null })).toBeNull();
    const startedAt = '2026-11-22T10:00:00.000Z';
    expect(trainingSeconds({ startedAt, endedAt: null }, Date.parse('2026-11-22T10:01:05.000Z'))).toBe(65);
    expect(trainingSeconds({ startedAt, endedAt: '2026-11-22T10:00:07.500Z' }, Date.parse('2026-11-23T00:00:00Z'))).toBe(7.5);
  });
});

describe('stage health', () => {
  const instance = (index: number, state: 'READY' | 'STARTING' | 'FAILED' | 'STOPPED') => ({
    index,
    state,
    pid: null,
    restarts: 0,
    lastExit: null,
    inFlight: 0,
  });

  it('counts ready workers against the instance count', () => {
    expect(stageHealth({ instanceCount: 2, instances: [instance(1, 'READY'), instance(0, 'READY')] })).toMatchObject({
      ready: 2,
      total: 2,
      tone: 'ok',
      instances: ['READY', 'READY'],
    });
    expect(stageHealth({ instanceCount: 2, instances: [instance(0, 'READY'), instance(1, 'STARTING')] }).tone).toBe('busy');
    expect(stageHealth({ instanceCount: 2, instances: [] })).toMatchObject({ ready: 0, total: 2, tone: 'busy' });
  });

  it('shows a worker that gave up, and a stage whose workers all stopped', () => {
    expect(stageHealth({ instanceCount: 2, instances: [instance(0, 'READY'), instance(1, 'FAILED')] }).tone).toBe('failed');
    expect(stageHealth({ instanceCount: 1, instances: [instance(0, 'STOPPED')] }).tone).toBe('stopped');
  });
});

describe('batch progress and schedule runs', () => {
  it('says a batch job’s progress in one line, leaving out what the runner does not know yet', () => {
    const progress = { done: 12_000, total: 50_000, errors: 0, rate: 3100.4, etaSeconds: 12 };
    expect(batchProgressText(progress)).toBe('12,000 / 50,000 · 3,100/s · ETA 12s');
    expect(batchProgressText({ ...progress, total: null, rate: null, etaSeconds: null, errors: 2 })).toBe('12,000 done · 2 bad');
    expect(batchFraction(progress)).toBe(0.24);
    expect(batchFraction({ done: 0, total: null })).toBeNull();
    expect(batchFraction({ done: 0, total: 0 })).toBe(1);
  });

  it('reads a skipped run as at rest and a queued one as waiting', () => {
    expect(runTone('SKIPPED')).toBe('stopped');
    expect(runTone('QUEUED')).toBe('busy');
    expect(runTone('PENDING')).toBe('busy');
    expect(runTone('FAILED')).toBe('failed');
    expect(runTone('COMPLETE')).toBe('ok');
  });
});
