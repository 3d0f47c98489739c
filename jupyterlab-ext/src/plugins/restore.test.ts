import { ApiError } from '@emkit/shared';
import { describe, expect, it } from 'vitest';
import { lookUpRestored } from './restore.js';

describe("a restored tab's resource", () => {
  it('is found when the bridge has it', async () => {
    expect(await lookUpRestored(async () => ({ id: 't1', name: 'iris' }))).toEqual({
      kind: 'found',
      resource: { id: 't1', name: 'iris' },
    });
  });

  it('is gone only on the bridge’s 404: then the tab stays closed', async () => {
    const notFound = new ApiError(404, 'not_found', 'training "t1" not found');
    expect(await lookUpRestored(() => Promise.reject(notFound))).toEqual({ kind: 'gone' });
  });

  it('is not taken for gone on any other failure: the tab is kept with the error', async () => {
    const failures = [
      new ApiError(500, 'internal', 'the bridge answered HTTP 500'),
      new ApiError(0, 'unreachable', 'the bridge at http://127.0.0.1:8765 is not reachable'),
      new ApiError(401, 'unauthorized', 'wrong token'),
      new TypeError('Failed to fetch'),
    ];
    for (const failure of failures) {
      expect(await lookUpRestored(() => Promise.reject(failure))).toEqual({ kind: 'failed', message: failure.message });
    }
  });
});
