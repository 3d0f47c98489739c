/** Helpers the repositories share: ids, times, unique-name violations. */
import { randomUUID } from 'node:crypto';

export const newId = (): string => randomUUID();
export const now = (): string => new Date().toISOString();

export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** `{id}` in a route may be the id or the unique name. */
export const BY_ID_OR_NAME = 'id = @key OR name = @key';
