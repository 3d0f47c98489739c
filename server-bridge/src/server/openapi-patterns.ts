import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';

/**
 * @fastify/swagger turns `patternProperties` into `additionalProperties` (OpenAPI 3.0 had
 * no patternProperties): the document then loses the key rules of the hyperparameters,
 * datasets and tags maps, and their `additionalProperties: false`. OpenAPI 3.1 is JSON
 * Schema 2020-12, which has them, so they are hidden from the conversion under another
 * name and put back after it.
 */
const HIDDEN = 'x-emkit-patternProperties';

function renameKey(value: unknown, from: string, to: string): unknown {
  if (Array.isArray(value)) return value.map((item) => renameKey(item, from, to));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key === from ? to : key, renameKey(inner, from, to)]));
}

/** `transform` and `transformObject` options for @fastify/swagger. */
export const keepPatternProperties: Pick<FastifyDynamicSwaggerOptions, 'transform' | 'transformObject'> = {
  transform: ({ schema, url }) => ({ schema: renameKey(schema, 'patternProperties', HIDDEN) as typeof schema, url }),
  transformObject: (document) =>
    renameKey(
      'openapiObject' in document ? document.openapiObject : document.swaggerObject,
      HIDDEN,
      'patternProperties',
    ) as never,
};
