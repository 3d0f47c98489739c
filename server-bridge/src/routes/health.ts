import type { Handlers } from './types.js';

export const healthHandlers: Handlers<'health' | 'getStatus' | 'createBrowserTicket'> = {
  health: (_input, { bridge }) => ({ status: 'ok', version: bridge.version, uptimeSeconds: bridge.uptimeSeconds() }),
  getStatus: (_input, { bridge }) => ({
    version: bridge.version,
    home: bridge.paths.home,
    pid: process.pid,
    uptimeSeconds: bridge.uptimeSeconds(),
    eventSeq: bridge.store.events.head(),
    counts: {
      environments: bridge.store.environments.list(1, 0).total,
      experiments: bridge.store.experiments.total(),
      trainings: bridge.store.trainings.total(),
      tensorboards: bridge.store.tensorboards.total(),
      models: bridge.store.models.total(),
      evaluations: bridge.store.evaluations.total(),
      endpoints: bridge.store.endpoints.total(),
    },
    quickTests: bridge.quickTests.list(),
  }),
  createBrowserTicket: (_input, { bridge }) => bridge.tickets.issue(),
};
