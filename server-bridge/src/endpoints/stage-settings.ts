import { HttpError } from '../server/errors.js';
import type { StageMonitoringInput, StageRecord } from '../store/endpoints.js';

/**
 * What watches a stage once `changes` apply to `current` (none at create): a field given
 * replaces the stored one, a null turns it off. Refused when the result can't work: a drift
 * watch reads the payload log, so it needs payload logging on.
 */
export function checkedMonitoring(changes: StageMonitoringInput, current?: Pick<StageRecord, 'payloadLogging' | 'drift'>): void {
  const logging = changes.payloadLogging === undefined ? current?.payloadLogging : changes.payloadLogging;
  const drift = changes.drift === undefined ? current?.drift : changes.drift;
  if (drift && !logging?.enabled) {
    const field = changes.drift === undefined ? 'payloadLogging' : 'drift';
    throw new HttpError(
      400,
      'validation',
      `body.${field}: a drift watch reads the stage's payload log; turn payload logging on (payloadLogging.enabled) with it`,
      field,
    );
  }
}

/** The monitoring fields of a create or PATCH body, nothing else. */
export const monitoringOf = (body: StageMonitoringInput): StageMonitoringInput => ({
  ...(body.memoryLimitMb !== undefined ? { memoryLimitMb: body.memoryLimitMb } : {}),
  ...(body.payloadLogging !== undefined ? { payloadLogging: body.payloadLogging } : {}),
  ...(body.drift !== undefined ? { drift: body.drift } : {}),
});
