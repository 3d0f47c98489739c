/**
 * The values this bridge must never hand on: its token (and any other credential it is
 * given). One list, read by what spawns processes (child-env.ts) and by the log's redaction
 * (logger.ts), so a secret added here is kept out of both.
 */
const secrets = new Set<string>();

/** Values shorter than this are not secrets worth matching (and would redact half a log). */
const MIN_SECRET_LENGTH = 8;

export function addSecret(value: string): void {
  if (value.length >= MIN_SECRET_LENGTH) secrets.add(value);
}

export function secretValues(): readonly string[] {
  return [...secrets];
}

/** For tests that start several bridges in one process. */
export function clearSecrets(): void {
  secrets.clear();
}
