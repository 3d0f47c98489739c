import { QUICK_TEST_MEDIA_TYPES } from '@emkit/shared';
import { describe, expect, it } from 'vitest';
import { mediaTypeAllowed } from './uploads.js';

describe('mediaTypeAllowed', () => {
  it.each([
    ['image/png', true],
    ['IMAGE/JPEG', true],
    ['audio/wav; rate=16000', true],
    ['text/plain; charset=utf-8', true],
    ['application/octet-stream', true],
    ['application/json', false],
    ['application/octet-streamx', false],
    ['imagex/png', false],
    ['image/', false],
    ['image', false],
    ['', false],
    [undefined, false],
    ['multipart/form-data; boundary=x', false],
  ])('%s → %s', (type, allowed) => {
    expect(mediaTypeAllowed(type, QUICK_TEST_MEDIA_TYPES)).toBe(allowed);
  });
});
