import {
  AlertEventList,
  AlertEventQuery,
  AlertRule,
  AlertRuleCreate,
  AlertRuleList,
  AlertRuleUpdate,
} from '../../schemas/alerts.js';
import { IdParams, ListQuery } from '../../schemas/common.js';
import type { RouteDef } from './route-def.js';

/** Alert rules on the monitored series, and their firing / resolving history (tag `alerts`). */
export const alertRoutes = {
  listAlertRules: {
    method: 'GET',
    url: '/api/v1/alerts',
    tag: 'alerts',
    summary: 'List alert rules with their state (OK or FIRING) and last value, newest first',
    querystring: ListQuery,
    status: 200,
    response: AlertRuleList,
  },
  createAlertRule: {
    method: 'POST',
    url: '/api/v1/alerts',
    tag: 'alerts',
    summary: 'Create an alert rule: a condition on a series, held for a duration, with a severity and an optional webhook',
    body: AlertRuleCreate,
    status: 201,
    response: AlertRule,
  },
  getAlertRule: {
    method: 'GET',
    url: '/api/v1/alerts/:id',
    tag: 'alerts',
    summary: 'Get an alert rule',
    params: IdParams,
    status: 200,
    response: AlertRule,
  },
  updateAlertRule: {
    method: 'PATCH',
    url: '/api/v1/alerts/:id',
    tag: 'alerts',
    summary: 'Change an alert rule (its state starts again from OK)',
    params: IdParams,
    body: AlertRuleUpdate,
    status: 200,
    response: AlertRule,
  },
  deleteAlertRule: {
    method: 'DELETE',
    url: '/api/v1/alerts/:id',
    tag: 'alerts',
    summary: 'Delete an alert rule and its history',
    params: IdParams,
    status: 204,
    response: null,
  },
  listAlertEvents: {
    method: 'GET',
    url: '/api/v1/alert-events',
    tag: 'alerts',
    summary: 'The rules firing and resolving, newest last; `after` follows them',
    querystring: AlertEventQuery,
    status: 200,
    response: AlertEventList,
  },
} as const satisfies Record<string, RouteDef>;
