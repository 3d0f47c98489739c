import { ApiError } from '@emkit/shared';
import { expect } from 'vitest';

/** The ApiError a call that the bridge must refuse ends with (status, code, message, field). */
export async function refusal(call: Promise<unknown>): Promise<ApiError> {
  const error = await call.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}
