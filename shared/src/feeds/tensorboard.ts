import type { EmkitClient } from '../api/client.js';
import type { Tensorboard, TensorboardCreate } from '../schemas/tensorboards.js';

const WAIT_MS = 60_000;

/**
 * The address an editor opens TensorBoard at, for a training or an experiment: the bridge
 * starts it (or finds it running), it is waited for — a few seconds, read twice a second —
 * and the address carries a one-time ticket, never the token, so it can sit in a page.
 */
export async function tensorboardAddress(client: EmkitClient, target: TensorboardCreate, waitMs = WAIT_MS): Promise<string> {
  let board: Tensorboard = await client.api.createTensorboard({ body: target });
  const deadline = Date.now() + waitMs;
  while (board.state === 'CREATE IN PROGRESS' && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    board = await client.api.getTensorboard({ params: { id: board.id } });
  }
  if (board.state !== 'RUNNING') throw new Error(board.stateReason ?? `TensorBoard is ${board.state}`);
  return client.tensorboardUrl(board.id);
}
