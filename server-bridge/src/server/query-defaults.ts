import { ListQuery, LogQuery } from '@emkit/shared';

// The defaults the route schemas declare, for callers that don't come through a route's validation (which fills
// them in): one source, so a service never pages or reads a log differently from its route.

export interface Page {
  limit: number;
  offset: number;
}

export function pageOf(query: Partial<Page> | undefined): Page {
  return {
    limit: query?.limit ?? (ListQuery.properties.limit.default as number),
    offset: query?.offset ?? (ListQuery.properties.offset.default as number),
  };
}

export function logWindowOf(query: Partial<Page> | undefined): Page {
  return {
    limit: query?.limit ?? (LogQuery.properties.limit.default as number),
    offset: query?.offset ?? (LogQuery.properties.offset.default as number),
  };
}
