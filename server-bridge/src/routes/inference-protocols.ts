import type { Handlers } from './types.js';

const PAGE = 1000;

/** The KServe V1 and V2 routes that name no model: liveness, readiness, server metadata, the model list. */
export const inferenceProtocolHandlers: Handlers<
  'kserveLive' | 'kserveListModels' | 'v2ServerMetadata' | 'v2ServerLive' | 'v2ServerReady'
> = {
  kserveLive: () => ({ status: 'alive' }),
  kserveListModels: (_input, { bridge }) => {
    const models: string[] = [];
    for (let offset = 0; ; offset += PAGE) {
      const page = bridge.endpoints.list({ limit: PAGE, offset });
      models.push(...page.items.map((e) => e.name));
      if (offset + PAGE >= page.total) return { models };
    }
  },
  v2ServerMetadata: (_input, { bridge }) => ({ name: 'emkit', version: bridge.version, extensions: ['binary_tensor_data'] }),
  v2ServerLive: () => ({ live: true }),
  v2ServerReady: () => ({ ready: true }),
};
