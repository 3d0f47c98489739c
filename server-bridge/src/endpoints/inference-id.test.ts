import { describe, expect, it } from 'vitest';
import { newInferenceId } from './inference-id.js';

describe('inference ids', () => {
  it('are UUID version 7: the time first, so later ids sort after earlier ones', () => {
    const id = newInferenceId(Date.UTC(2026, 11, 7));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(Date.UTC(2026, 11, 7));
    const ids = Array.from({ length: 50 }, (_, i) => newInferenceId(Date.UTC(2026, 11, 7) + i));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(Array.from({ length: 1000 }, () => newInferenceId(0))).size).toBe(1000);
  });
});
