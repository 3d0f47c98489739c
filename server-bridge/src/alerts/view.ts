import type { AlertRule } from '@emkit/shared';
import type { AlertReading, AlertRuleRecord } from '../store/alerts.js';
import { hideCredentials } from './webhook-url.js';

const NO_READING: AlertReading = { value: null, evaluatedAt: null };

/** A stored rule as the API shows it: its latest reading, and its webhook with the credentials hidden. */
export function ruleView(record: AlertRuleRecord, reading: AlertReading = NO_READING): AlertRule {
  return {
    ...record,
    webhook: record.webhook === null ? null : hideCredentials(record.webhook),
    value: reading.value,
    evaluatedAt: reading.evaluatedAt,
  };
}
