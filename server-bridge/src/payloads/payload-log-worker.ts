// The payload log's thread (node:worker_threads): what payload logging costs, off the gateway's
// thread. It gets the sampled calls' raw bodies in batches and parses, redacts, caps and writes
// them in the payload log's own SQLite file, and prunes.
import { parentPort, workerData } from 'node:worker_threads';
import { lowerThisThreadsPriority } from '../runtime/thread-priority.js';
import { openPayloadLogConnection } from '../store/db.js';
import { PayloadBatchWriter } from './payload-batch.js';
import { servePayloadThread } from './payload-thread.js';

if (!parentPort) throw new Error('the payload log worker runs as a worker thread');
const port = parentPort;
// logging is background work: under load the gateway and the model workers get the CPU first
// (the queue behind it is capped, what it drops is counted)
lowerThisThreadsPriority();
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
