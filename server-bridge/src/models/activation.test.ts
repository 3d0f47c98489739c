import type { Model } from '@emkit/shared';
import { describe, expect, it } from 'vitest';
import type { HttpError } from '../server/errors.js';
import { refuseInactive, refuseOverCap } from './activation.js';

const thrown = (call: () => void): HttpError => {
  try {
    call();
  } catch (error) {
    return error as HttpError;
  }
  throw new Error('nothing was thrown');
};

describe('the active-model cap', () => {
  it('lets a version through below the cap, or with no cap at all', () => {
    expect(() => refuseOverCap(['a:1'], 2)).not.toThrow();
    expect(() => refuseOverCap(['a:1', 'a:2', 'a:3'], undefined)).not.toThrow();
  });

  it('names as many of the oldest active versions as it takes to make room for one more', () => {
    const atCap = thrown(() => refuseOverCap(['a:1', 'b:1'], 2));
    expect(atCap).toMatchObject({ status: 409, code: 'conflict' });
    expect(atCap.message).toContain('at most 2 active model versions (--max-active-models) and 2 are active');
    expect(atCap.message).toContain('deactivate a:1 first (emkit model deactivate a:1)');
    // the cap lowered under a bridge that had more: every extra one, oldest first
    const over = thrown(() => refuseOverCap(['a:1', 'b:1', 'c:1', 'd:1'], 2));
    expect(over.message).toContain('deactivate a:1, b:1, c:1 first');
  });
});

describe('a deactivated version', () => {
  const version = (state: Model['state']) => ({ name: 'iris', version: 3, state }) as Model;
  it('is refused with how to reactivate it; an active one passes', () => {
    expect(() => refuseInactive(version('ACTIVE'), 'deployed')).not.toThrow();
    const refused = thrown(() => refuseInactive(version('INACTIVE'), 'deployed'));
    expect(refused).toMatchObject({ status: 409, code: 'conflict' });
    expect(refused.message).toBe(
      `model "iris" version 3 is deactivated and can't be deployed; reactivate it: emkit model activate iris:3`,
    );
  });
});
