import { ApiError } from '@emkit/shared';

/** What `emkit` exits with; scripts may rely on these (documented in the README). */
export const EXIT = {
  ok: 0,
  /** the bridge refused or failed the request (4xx/5xx not listed below) */
  failed: 1,
  /** wrong command-line usage */
  usage: 2,
  /** no bridge running, or not reachable */
  unreachable: 3,
  notFound: 4,
  /** refused by a rule (409), e.g. a name taken, a delete with dependants */
  conflict: 5,
  /** --wait ended in a failed state (CREATE FAILED, FAIL TRAIN, …) */
  endedInFailure: 6,
  unauthorized: 7,
} as const;

export function exitCodeFor(error: unknown): number {
  if (!(error instanceof ApiError)) return EXIT.failed;
  if (error.code === 'unreachable') return EXIT.unreachable;
  if (error.status === 404) return EXIT.notFound;
  if (error.status === 409) return EXIT.conflict;
  if (error.status === 401) return EXIT.unauthorized;
  if (error.status === 400) return EXIT.usage;
  return EXIT.failed;
}
