import { describe, expect, it } from 'vitest';
import { describeDrift, describePayloadLogging, stageDrift, stagePayloadLogging } from './stage-monitoring.js';

describe('stage monitoring settings', () => {
  it("fills what is left out from the schemas' defaults", () => {
    expect(stagePayloadLogging(null)).toEqual({
      enabled: false,
      sampleRate: 1,
      maxBytes: 65536,
      redact: [],
      keepCount: 100000,
      keepDays: 7,
    });
    expect(stagePayloadLogging({ enabled: true, sampleRate: 0.25, redact: ['ssn'] })).toMatchObject({
      enabled: true,
      sampleRate: 0.25,
      redact: ['ssn'],
      maxBytes: 65536,
    });
    expect(stageDrift(null)).toBeNull();
    expect(stageDrift({ window: '10s' })).toEqual({
      reference: null,
      window: '10s',
      psiThreshold: 0.2,
      pValue: 0.01,
      minCount: 100,
    });
  });

  it('says them in a few words', () => {
    expect(describePayloadLogging(stagePayloadLogging(undefined))).toBe('off');
    expect(describePayloadLogging({ enabled: true, sampleRate: 0.125, redact: ['ssn', 'card'] })).toBe(
      'on (12.5 %, redacting ssn, card)',
    );
    expect(describeDrift(null)).toBe('off');
    expect(describeDrift({})).toBe("every 1h against its training's table");
    expect(describeDrift({ reference: 'iris:2', window: '5m' })).toBe('every 5m against iris:2');
  });
});
