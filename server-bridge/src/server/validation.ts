import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import fastJsonStringify from 'fast-json-stringify';
import type { FastifySchema, FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify';

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
 *
 * Validators are compiled on a route's first request, not at start: compiling every
 * schema up front was most of the bridge's start-up time.
 */
export function validatorCompiler(): FastifySchemaCompiler<object> {
  let strict: Ajv | undefined;
  let coercing: Ajv | undefined;
  return ({ schema, httpPart }) => {
    let compiled: ReturnType<Ajv['compile']> | undefined;
    const validate = (data: unknown) => {
      if (!compiled) {
        if (httpPart === 'body') {
          strict ??= make(false);
          compiled = strict.compile(schema);
        } else {
          coercing ??= make(true);
          compiled = coercing.compile(schema);
        }
      }
      const valid = compiled(data) as boolean;
      validate.errors = compiled.errors as FastifySchemaValidationError[] | null | undefined;
      return valid;
    };
    validate.errors = null as FastifySchemaValidationError[] | null | undefined;
    return validate;
  };
}

/** Response serializers from the same schemas (fast-json-stringify), also built on first use. */
export function serializerCompiler(): (route: { schema: FastifySchema }) => (data: unknown) => string {
  return ({ schema }) => {
    let stringify: ((data: unknown) => string) | undefined;
    return (data) => {
      stringify ??= fastJsonStringify(schema as object) as (data: unknown) => string;
      return stringify(data);
    };
  };
}
