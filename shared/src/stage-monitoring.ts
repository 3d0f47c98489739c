import { DriftSettings, PayloadLogging } from './schemas/monitoring.js';

// A stage's monitoring settings with what the user left out filled from the schemas' defaults,
// so that whoever reads them (the gateway's payload log, the drift windows, the views) reads
// one complete object and no default is written down twice.

/** Payload logging as a stage has it: every field present. */
export type StagePayloadLogging = Required<PayloadLogging>;

/** A drift watch as a stage has it: every field present; reference null: its training's table. */
export type StageDrift = Required<Omit<DriftSettings, 'reference'>> & { reference: string | null };

const payloadDefault = <K extends keyof typeof PayloadLogging.properties>(key: K) =>
  (PayloadLogging.properties[key] as { default?: unknown }).default;
const driftDefault = <K extends keyof typeof DriftSettings.properties>(key: K) =>
  (DriftSettings.properties[key] as { default?: unknown }).default;

/** Payload logging with its defaults; left out (or null): off. */
export function stagePayloadLogging(given: PayloadLogging | null | undefined): StagePayloadLogging {
  return {
    enabled: given?.enabled ?? false,
    sampleRate: given?.sampleRate ?? (payloadDefault('sampleRate') as number),
    maxBytes: given?.maxBytes ?? (payloadDefault('maxBytes') as number),
    redact: given?.redact ?? [],
    keepCount: given?.keepCount ?? (payloadDefault('keepCount') as number),
    keepDays: given?.keepDays ?? (payloadDefault('keepDays') as number),
  };
}

/** A drift watch with its defaults; null (or left out): no watch. */
export function stageDrift(given: DriftSettings | null | undefined): StageDrift | null {
  if (!given) return null;
  return {
    reference: given.reference ?? null,
    window: given.window ?? (driftDefault('window') as string),
    psiThreshold: given.psiThreshold ?? (driftDefault('psiThreshold') as number),
    pValue: given.pValue ?? (driftDefault('pValue') as number),
    minCount: given.minCount ?? (driftDefault('minCount') as number),
  };
}

/** "on (50 %, redacting ssn, card)" or "off": what a stage logs of its requests, in a few words. */
export function describePayloadLogging(logging: PayloadLogging): string {
  if (!logging.enabled) return 'off';
  const rate = Math.round((logging.sampleRate ?? 1) * 1000) / 10;
  const redact = logging.redact?.length ? `, redacting ${logging.redact.join(', ')}` : '';
  return `on (${rate} %${redact})`;
}

/** "every 1h against its training's table" or "off": a stage's drift watch in a few words. */
export function describeDrift(drift: DriftSettings | null): string {
  if (!drift) return 'off';
  const window = drift.window ?? (driftDefault('window') as string);
  return `every ${window} against ${drift.reference ? drift.reference : "its training's table"}`;
}
