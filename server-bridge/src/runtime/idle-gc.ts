import type { Server } from 'node:http';
import v8 from 'node:v8';
import vm from 'node:vm';

// A burst of requests grows V8's young generation (to 16 MB here, from 1 MB) and V8 keeps it at that size for a
// server that then goes quiet: it shrinks it only in a full collection that sees the allocation rate has dropped,
// and nothing runs one once the requests stop. So after a burst, once the bridge has been quiet long enough for V8
// to see the rate drop, it runs one full collection: ~15 MB of RSS back, for one ~15 ms pause while nothing else
// is going on. Under load, or while the young generation is small, it does nothing.

/** No request for this long counts as quiet; V8 judges the allocation rate over its last 5 s. */
const QUIET_MS = 5500;
const CHECK_MS = 1000;
/** A young generation above this has grown with load (V8 starts it at 1 MB). */
const GROWN_BYTES = 4 * 1024 * 1024;

function newSpaceBytes(): number {
  return v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
}

/** V8's gc(), without starting node with --expose-gc: the flag is on only while a context picks it up. */
function fullCollection(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  v8.setFlagsFromString('--expose-gc');
  try {
    return vm.runInNewContext('gc') as () => void;
  } finally {
    v8.setFlagsFromString('--no-expose-gc');
  }
}

/** Watches `server`'s requests; returns a stop function. */
export function collectWhenIdle(server: Server): () => void {
  const collect = fullCollection();
  let lastRequestAt = Date.now();
  let collected = false;
  const onRequest = () => {
    lastRequestAt = Date.now();
    collected = false;
  };
  server.on('request', onRequest);
  const timer = setInterval(() => {
    if (collected || Date.now() - lastRequestAt < QUIET_MS) return;
    collected = true; // once per quiet spell
    if (newSpaceBytes() > GROWN_BYTES) collect();
  }, CHECK_MS);
  timer.unref();
  return () => {
    clearInterval(timer);
    server.off('request', onRequest);
  };
}
