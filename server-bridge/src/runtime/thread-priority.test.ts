import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BACKGROUND_NICE, lowerThisThreadsPriority } from './thread-priority.js';

/** A thread's nice value, from /proc (the 19th field of stat; the command name may hold spaces). */
function niceOf(statFile: string): number {
  const stat = readFileSync(statFile, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}

const linux = process.platform === 'linux';

describe('lowerThisThreadsPriority', () => {
  // this file's test process is its own (vitest's forks pool): lowering its main thread harms nothing
  it.skipIf(!linux)(`lowers the calling thread's priority, not its process's${linux ? '' : ' (skipped: Linux only)'}`, () => {
    const self = readlinkSync('/proc/thread-self').split('/').pop();
    // node's own threads (its platform workers) stay as they were
    const others = readdirSync('/proc/self/task').filter((tid) => tid !== self);
    const othersBefore = others.map((tid) => niceOf(`/proc/self/task/${tid}/stat`));
    const before = niceOf('/proc/thread-self/stat');

    expect(lowerThisThreadsPriority()).toBe(before <= BACKGROUND_NICE);
    expect(niceOf('/proc/thread-self/stat')).toBe(Math.max(before, BACKGROUND_NICE));
    expect(others.map((tid) => niceOf(`/proc/self/task/${tid}/stat`))).toEqual(othersBefore);
  });
});
