/** Parsers for option values the commands share; a bad value is a usage error (exit 2). */
import { InvalidArgumentError } from 'commander';

/** `--hp lr=0.1 --hp epochs=3` → { lr: '0.1', epochs: '3' } */
export function pairs(what: string) {
  return (value: string, previous: Record<string, string>) => {
    const at = value.indexOf('=');
    if (at <= 0) throw new InvalidArgumentError(`a ${what} is key=value, not "${value}"`);
    return { ...previous, [value.slice(0, at)]: value.slice(at + 1) };
  };
}

export function count(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError(`"${value}" is not a positive whole number`);
  return parsed;
}
