import type { RouteInput, RouteName, RouteOutput } from '@emkit/shared';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BridgeContext } from '../context.js';

/** A handler for one entry of the shared route table, typed from its schemas. */
export type Handler<K extends RouteName> = (
  input: RouteInput<K>,
  context: { request: FastifyRequest; reply: FastifyReply; bridge: BridgeContext },
) => Promise<RouteOutput<K>> | RouteOutput<K>;

export type Handlers<K extends RouteName> = { [P in K]: Handler<P> };
