/** Parsers for option values the commands share; a bad value is a usage error (exit 2). */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { addPair, DATASET_REF_PATTERN, type PairKind, PairsError } from '@emkit/shared';
import { InvalidArgumentError } from 'commander';

/** `--hp lr=0.1 --hp epochs=3` → { lr: '0.1', epochs: '3' }, by the editors' rule (shared/src/workflows/pairs.ts) */
export function pairs(kind: PairKind) {
  return (value: string, previous: Record<string, string> | undefined) => {
    try {
      return addPair(previous ?? {}, value, kind);
    } catch (error) {
      throw error instanceof PairsError ? new InvalidArgumentError(error.message) : error;
    }
  };
}

/** A whole number, 0 or more. */
export function count0(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError(`"${value}" is not a whole number`);
  return parsed;
}

export function count(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError(`"${value}" is not a positive whole number`);
  return parsed;
}

/**
 * A `--dataset`/`--data` value: a path that exists here is made absolute (as before); anything else shaped like a
 * dataset (`name`, `name:3`) goes to the bridge as it is, which resolves and pins it.
 */
export function datasetValue(value: string): string {
  if (!existsSync(value) && new RegExp(DATASET_REF_PATTERN).test(value)) return value;
  return resolve(value);
}
