import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

// ajv-formats is CommonJS; its default export arrives one level down under NodeNext
type AddFormats = (ajv: Ajv) => Ajv;
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ??
  (addFormatsModule as unknown as AddFormats)) as AddFormats;

const base: Options = { removeAdditional: false, useDefaults: true, allErrors: false, verbose: true, strict: false };

function make(coerceTypes: boolean): Ajv {
  const ajv = new Ajv({ ...base, coerceTypes });
  addFormats(ajv);
  return ajv;
}

/**
 * Query strings and path parameters arrive as text, so they are coerced ("5" → 5);
 * a JSON body is taken as sent: `"name": 5` is an error, not "5". Unknown fields are
 * errors everywhere (fastify's default silently drops them).
 */
export function validatorCompiler(): FastifySchemaCompiler<object> {
  const strict = make(false);
  const coercing = make(true);
  return ({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema);
}
