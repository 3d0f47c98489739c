import { type Translate, untranslated } from '../feeds/protocol.js';
import type { EndpointStage, StageUpdate } from '../schemas/endpoints.js';
import { WINDOW_PATTERN } from '../schemas/monitoring.js';

/** The words of the settings form's checks (both editors' catalogs have them through VIEW_STRINGS). */
export const STAGE_SETTINGS_STRINGS = {
  memory: 'The memory limit is a whole number of MB from 64 to 1048576, or empty for none.',
  rate: 'The sampling rate is a percentage from 0 to 100.',
  window: 'The drift window is a number and a unit: 30s, 5m, 2h or 1d.',
  driftNeedsLogging: 'Drift is computed from the logged inputs: turn payload logging on too.',
  loggingOn: 'payload logging on ({0} %)',
} as const;

/** The stage lifecycle actions a stage's row offers, by its state. */
export type StageLifecycle = 'deactivate' | 'activate' | 'redeploy';

/** Deactivate an ACTIVE stage, activate an INACTIVE one, deploy a failed one again in place. */
export function stageLifecycle(stage: Pick<EndpointStage, 'state'>): StageLifecycle | null {
  if (stage.state === 'ACTIVE') return 'deactivate';
  if (stage.state === 'INACTIVE') return 'activate';
  if (stage.state === 'CREATE FAILED' || stage.state === 'DEPLOY FAILED') return 'redeploy';
  return null;
}

/** The share of requests logged, as a whole percentage; null when payload logging is off. */
export function payloadLoggingPercent(stage: Pick<EndpointStage, 'payloadLogging'>): number | null {
  const logging = stage.payloadLogging;
  if (!logging?.enabled) return null;
  return Math.round((logging.sampleRate ?? 1) * 1000) / 10;
}

/** What the form shows and edits: text as typed, so a bad entry can be said back as it was. */
export interface StageSettingsValues {
  memoryLimitMb: string;
  payloadLogging: boolean;
  /** a percentage, "100" = every request */
  sampleRate: string;
  /** field names, comma-separated */
  redact: string;
  drift: boolean;
  /** a dataset (name or name:version) or an absolute path; empty: the table its training used */
  reference: string;
  window: string;
}

export function stageSettingsValues(
  stage: Pick<EndpointStage, 'memoryLimitMb' | 'payloadLogging' | 'drift'>,
): StageSettingsValues {
  const logging = stage.payloadLogging;
  return {
    memoryLimitMb: stage.memoryLimitMb == null ? '' : String(stage.memoryLimitMb),
    payloadLogging: logging?.enabled ?? false,
    sampleRate: String(Math.round((logging?.sampleRate ?? 1) * 1000) / 10),
    redact: (logging?.redact ?? []).join(', '),
    drift: Boolean(stage.drift),
    reference: stage.drift?.reference ?? '',
    window: stage.drift?.window ?? '1h',
  };
}

export type StageSettingsResult =
  | { ok: true; body: StageUpdate }
  | { ok: false; message: string; field: keyof StageSettingsValues };

/**
 * The PATCH body for what the form says, the stage's other settings kept (payload logging's
 * cap and retention, drift's thresholds); or the first entry that is wrong, in words.
 */
export function stageUpdateFrom(
  stage: Pick<EndpointStage, 'payloadLogging' | 'drift'>,
  values: StageSettingsValues,
  t: Translate = untranslated,
): StageSettingsResult {
  const memory = values.memoryLimitMb.trim();
  const memoryLimitMb = memory === '' ? null : Number(memory);
  if (memoryLimitMb !== null && !(Number.isInteger(memoryLimitMb) && memoryLimitMb >= 64 && memoryLimitMb <= 1048576))
    return { ok: false, message: t(STAGE_SETTINGS_STRINGS.memory), field: 'memoryLimitMb' };
  const rate = Number(values.sampleRate.trim() || '100');
  if (!(Number.isFinite(rate) && rate >= 0 && rate <= 100))
    return { ok: false, message: t(STAGE_SETTINGS_STRINGS.rate), field: 'sampleRate' };
  const window = values.window.trim() || '1h';
  if (values.drift && !new RegExp(WINDOW_PATTERN).test(window))
    return { ok: false, message: t(STAGE_SETTINGS_STRINGS.window), field: 'window' };
  if (values.drift && !values.payloadLogging)
    return { ok: false, message: t(STAGE_SETTINGS_STRINGS.driftNeedsLogging), field: 'drift' };
  const redact = values.redact
    .split(/[,\n]/)
    .map((name) => name.trim())
    .filter(Boolean);
  const reference = values.reference.trim();
  return {
    ok: true,
    body: {
      memoryLimitMb,
      payloadLogging: {
        ...(stage.payloadLogging ?? {}),
        enabled: values.payloadLogging,
        sampleRate: rate / 100,
        redact,
      },
      drift: values.drift ? { ...(stage.drift ?? {}), reference: reference || null, window } : null,
    },
  };
}
