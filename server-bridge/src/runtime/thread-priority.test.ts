import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BACKGROUND_NICE, lowerThisThreadsPriority, makeThisThreadIdleOnly } from './thread-priority.js';

/** A field of a thread's stat in /proc, counted from 1 as proc(5) does (the command name may hold spaces). */
function statField(statFile: string, field: number): number {
  const stat = readFileSync(statFile, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[field - 3]);
}
const niceOf = (statFile: string) => statField(statFile, 19);
const policyOf = (statFile: string) => statField(statFile, 41);
const SCHED_OTHER = 0;
const SCHED_IDLE = 5;

const linux = process.platform === 'linux';
const hasChrt = linux && spawnSync('chrt', ['--version'], { stdio: 'ignore' }).status === 0;

describe("a thread's priority", () => {
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

  // last: an idle-only thread can't go back without privileges (this test process ends with the file)
  it.skipIf(!hasChrt)(
    `makes the calling thread idle-only (SCHED_IDLE), not its process's other threads${hasChrt ? '' : ' (skipped: needs Linux and util-linux chrt)'}`,
    () => {
      const self = readlinkSync('/proc/thread-self').split('/').pop();
      const others = readdirSync('/proc/self/task').filter((tid) => tid !== self);
      expect(policyOf('/proc/thread-self/stat')).toBe(SCHED_OTHER);

      expect(makeThisThreadIdleOnly()).toBe(true);
      expect(policyOf('/proc/thread-self/stat')).toBe(SCHED_IDLE);
      expect(others.map((tid) => policyOf(`/proc/self/task/${tid}/stat`))).toEqual(others.map(() => SCHED_OTHER));
    },
  );
});
