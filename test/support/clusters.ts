import type { Cluster } from '@emkit/shared';
import { emkitCli } from './bridge.js';

/**
 * `emkit cluster up NAME --nodes 2` (1 CPU a node) through a test bridge, as a user starts one,
 * for the end-to-end suites whose subject is the editor, not Ray's start. On a machine loaded
 * by other Ray clusters a node can miss Ray's own startup deadline ("The current node timed out
 * during startup", a 30 s limit inside Ray); `up` again starts the same cluster anew, up to
 * three times in all, before giving up.
 */
export async function localClusterUp(bridge: { url: string; token: string }, name: string): Promise<Cluster> {
  let failure = '';
  for (let attempt = 1; attempt <= 3; attempt++) {
    const up = await emkitCli(
      bridge,
      '--json',
      'cluster',
      'up',
      name,
      '--nodes',
      '2',
      '--cpus-per-node',
      '1',
      '--memory-mb',
      '512',
    );
    if (up.code === 0) return JSON.parse(up.stdout) as Cluster;
    failure += `attempt ${attempt}: emkit cluster up failed (${up.code}): ${up.stderr}\n${up.stdout}\n`;
    await emkitCli(bridge, 'cluster', 'down', name);
  }
  throw new Error(failure);
}
