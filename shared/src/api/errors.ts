import type { ErrorCode, ErrorEnvelope } from '../schemas/common.js';

/** Every failed call becomes one of these; views show `message`, scripts branch on `code`/`status`. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    /** HTTP status, or 0 when the bridge could not be reached */
    readonly status: number,
    readonly code: ErrorCode | 'unreachable',
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }

  static fromEnvelope(status: number, body: unknown): ApiError {
    const error = (body as Partial<ErrorEnvelope> | null)?.error;
    if (error && typeof error.message === 'string') return new ApiError(status, error.code, error.message, error.field);
    return new ApiError(status, status >= 500 ? 'internal' : 'bad_request', `the bridge answered HTTP ${status}`);
  }
}
