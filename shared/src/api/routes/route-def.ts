import type { TSchema } from '@sinclair/typebox';

/** One route of the table in ./index.ts: what the bridge registers and the client calls. */
export interface RouteDef {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** fastify style: `:id` for a path parameter */
  url: string;
  tag: string;
  summary: string;
  /**
   * true only for the health checks (the bridge's, and the KServe V1/V2 liveness, readiness
   * and server metadata probes, which name no model): every other route needs the token
   */
  public?: boolean;
  /** a WebSocket upgrade, not a JSON call; it also takes the token as a subprotocol (see api/socket-auth.ts) */
  websocket?: boolean;
  /**
   * served by the inference gateway: the body goes to a model worker as it came (not
   * validated here), and the endpoint's API key is taken as well as the token
   */
  gateway?: boolean;
  /**
   * the body is a file's raw bytes, not JSON, sent with one of these media types (`image/*`
   * takes any image); the bridge caps its size and checks the type, not the bytes
   */
  upload?: readonly string[];
  params?: TSchema;
  querystring?: TSchema;
  body?: TSchema;
  status: number;
  /** null for an empty (204) answer */
  response: TSchema | null;
}
