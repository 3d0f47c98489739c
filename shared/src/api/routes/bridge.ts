import { Type } from '@sinclair/typebox';
import { EventsQuery } from '../../schemas/events.js';
import { BrowserTicket, Health, Status } from '../../schemas/health.js';
import type { RouteDef } from './route-def.js';

/** The routes of the bridge itself: health, status, this document, browser tickets and the event stream (OpenAPI tag `bridge`). */
export const bridgeRoutes = {
  health: {
    method: 'GET',
    url: '/api/v1/health',
    tag: 'bridge',
    summary: 'Liveness; the only route without the token',
    public: true,
    status: 200,
    response: Health,
  },
  getStatus: {
    method: 'GET',
    url: '/api/v1/status',
    tag: 'bridge',
    summary: 'Version, home, process and resource counts',
    status: 200,
    response: Status,
  },
  getOpenApi: {
    method: 'GET',
    url: '/api/v1/openapi.json',
    tag: 'bridge',
    summary: 'This OpenAPI 3.1 document',
    status: 200,
    response: Type.Unknown({ description: 'an OpenAPI 3.1 document' }),
  },
  createBrowserTicket: {
    method: 'POST',
    url: '/api/v1/browser-tickets',
    tag: 'bridge',
    summary:
      'A one-time credential (a minute) for opening a page the bridge serves to browsers, such as TensorBoard, without the token in its address',
    status: 201,
    response: BrowserTicket,
  },
  events: {
    method: 'GET',
    url: '/api/v1/events',
    tag: 'bridge',
    summary: 'WebSocket stream of every resource change; `since` resumes after a reconnect',
    websocket: true,
    querystring: EventsQuery,
    status: 101,
    response: null,
  },
} as const satisfies Record<string, RouteDef>;
