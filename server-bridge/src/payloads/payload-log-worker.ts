// The payload log's thread (node:worker_threads): what payload logging costs, off the gateway's
// thread. It gets the sampled calls' raw bodies in batches and parses, redacts, caps and writes
// them in the payload log's own SQLite file, and prunes.
import { parentPort, workerData } from 'node:worker_threads';
import { lowerThisThreadsPriority, makeThisThreadIdleOnly } from '../runtime/thread-priority.js';
import { openPayloadLogConnection } from '../store/db.js';
import { PayloadBatchWriter } from './payload-batch.js';
import { servePayloadThread } from './payload-thread.js';

if (!parentPort) throw new Error('the payload log worker runs as a worker thread');
const port = parentPort;
// logging is background work: under load the gateway and the model workers get the CPU first
// (the queue behind it is capped, what it drops is counted). Idle-only where it can be, else a
// lower priority. Linux counts a core that runs only idle-only threads as free: a thread woken by
// a request (the gateway's, a model worker's) takes it at once, where at nice 10 it could wait
// behind this one (bench:monitoring: −6.4 % throughput at nice 10, −2.0 % idle-only; README)
if (!makeThisThreadIdleOnly()) lowerThisThreadsPriority();
const { file, written } = workerData as { file: string; written: SharedArrayBuffer };
const db = openPayloadLogConnection(file);
const writer = new PayloadBatchWriter(db, (message, error, rows) =>
  port.postMessage({ type: 'warn', message, error: error instanceof Error ? error.message : String(error), rows }),
);
servePayloadThread(
  writer,
  port,
  () => {
    db.close();
    port.close();
  },
  written,
);
