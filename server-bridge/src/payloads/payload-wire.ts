import type { StagePayloadLogging } from '@emkit/shared';

/** One call as the gateway hands it over: the worker's request and answer bodies, still unread. */
export interface CapturedCall {
  endpointId: string;
  stageId: string;
  inferenceId: string;
  time: string;
  status: number;
  /** the worker's `{"instances"}` body */
  request: Buffer;
  /** the worker's answer (`{"predictions"}` on a 200), before any protocol's conversion */
  answer: Buffer | null;
}

/** A sampled call with its stage's settings at the time it was answered. */
export interface SampledCall extends CapturedCall {
  settings: StagePayloadLogging;
}

/** A stage whose calls a batch holds, with its settings when they were answered. */
export interface BatchStage {
  endpointId: string;
  stageId: string;
  settings: StagePayloadLogging;
}

/**
 * Calls on their way to the payload log's thread: all of them in one buffer, transferred, not
 * cloned (see CallArena); only the few stages they are of are cloned. A message that cloned a
 * few strings per call cost the gateway's thread more than everything else payload logging did.
 */
export interface CallBatch {
  type: 'batch';
  bytes: ArrayBuffer;
  /** how much of `bytes` holds calls */
  length: number;
  count: number;
  stages: BatchStage[];
}

/** What the gateway's thread sends the payload log's thread. */
export type ToPayloadThread =
  | CallBatch
  /** answered with `flushed` once everything sent before it is written */
  | { type: 'flush'; id: number }
  | { type: 'prune'; now: number }
  | { type: 'close' };

/** What the payload log's thread answers. */
export type FromPayloadThread = { type: 'flushed'; id: number } | { type: 'warn'; message: string; error: string; rows?: number };

/** status, stage index, request length, answer length (-1: none), inference id length, time length: six int32 */
const HEADER = 24;
const FIRST_SIZE = 64 * 1024;

/**
 * Sampled calls written one after another into one growing buffer as they are offered, so
 * the gateway's thread keeps no object per call and sends the lot as one transfer: per call a
 * header, the inference id and the time (UTF-8), the request body, the answer body.
 */
export class CallArena {
  private buffer: Buffer | null = null;
  private used = 0;
  private count = 0;
  private stages: BatchStage[] = [];
  /** a stage's index in `stages`, while its settings are the same object */
  private readonly stageIndex = new Map<string, number>();

  /** bytes held */
  get size(): number {
    return this.used;
  }

  get calls(): number {
    return this.count;
  }

  /** The bytes `call` takes here (exactly, when its id and time are ASCII, as the gateway's are). */
  static sizeOf(call: CapturedCall): number {
    return HEADER + call.inferenceId.length + call.time.length + call.request.length + (call.answer?.length ?? 0);
  }

  add(settings: StagePayloadLogging, call: CapturedCall): void {
    let index = this.stageIndex.get(call.stageId);
    if (index === undefined || this.stages[index]?.settings !== settings) {
      index = this.stages.push({ endpointId: call.endpointId, stageId: call.stageId, settings }) - 1;
      this.stageIndex.set(call.stageId, index);
    }
    // a string's UTF-8 size is at most three bytes a UTF-16 unit
    const buffer = this.room(CallArena.sizeOf(call) + 2 * (call.inferenceId.length + call.time.length));
    const start = this.used;
    let at = start + HEADER;
    const idLength = buffer.write(call.inferenceId, at);
    at += idLength;
    const timeLength = buffer.write(call.time, at);
    at += timeLength;
    at += call.request.copy(buffer, at);
    if (call.answer) at += call.answer.copy(buffer, at);
    buffer.writeInt32LE(call.status, start);
    buffer.writeInt32LE(index, start + 4);
    buffer.writeInt32LE(call.request.length, start + 8);
    buffer.writeInt32LE(call.answer ? call.answer.length : -1, start + 12);
    buffer.writeInt32LE(idLength, start + 16);
    buffer.writeInt32LE(timeLength, start + 20);
    this.used = at;
    this.count += 1;
  }

  /** The batch of what is held, and what to transfer with it; the arena starts empty again. */
  take(): { batch: CallBatch; transfer: ArrayBuffer[] } | null {
    if (this.count === 0 || !this.buffer) return null;
    const batch: CallBatch = {
      type: 'batch',
      bytes: this.buffer.buffer as ArrayBuffer,
      length: this.used,
      count: this.count,
      stages: this.stages,
    };
    this.buffer = null;
    this.used = 0;
    this.count = 0;
    this.stages = [];
    this.stageIndex.clear();
    return { batch, transfer: [batch.bytes] };
  }

  /** A buffer with `bytes` free after what is held: grown (doubled) when short. */
  private room(bytes: number): Buffer {
    const needed = this.used + bytes;
    if (this.buffer && this.buffer.length >= needed) return this.buffer;
    // not pooled: its ArrayBuffer is its own, so it can be transferred
    const grown = Buffer.allocUnsafeSlow(Math.max(FIRST_SIZE, needed, 2 * (this.buffer?.length ?? 0)));
    this.buffer?.copy(grown, 0, 0, this.used);
    this.buffer = grown;
    return grown;
  }
}

/** The calls of a batch, their bodies views of its buffer. */
export function decodeBatch(batch: CallBatch): SampledCall[] {
  const buffer = Buffer.from(batch.bytes, 0, batch.length);
  const calls: SampledCall[] = [];
  let at = 0;
  for (let i = 0; i < batch.count; i += 1) {
    const stage = batch.stages[buffer.readInt32LE(at + 4)];
    if (!stage) throw new Error(`call ${i} of a batch names no stage`);
    const status = buffer.readInt32LE(at);
    const requestLength = buffer.readInt32LE(at + 8);
    const answerLength = buffer.readInt32LE(at + 12);
    const idLength = buffer.readInt32LE(at + 16);
    const timeLength = buffer.readInt32LE(at + 20);
    at += HEADER;
    const inferenceId = buffer.toString('utf8', at, at + idLength);
    at += idLength;
    const time = buffer.toString('utf8', at, at + timeLength);
    at += timeLength;
    const request = buffer.subarray(at, at + requestLength);
    at += requestLength;
    const answer = answerLength < 0 ? null : buffer.subarray(at, at + answerLength);
    at += Math.max(0, answerLength);
    calls.push({
      endpointId: stage.endpointId,
      stageId: stage.stageId,
      inferenceId,
      time,
      status,
      request,
      answer,
      settings: stage.settings,
    });
  }
  return calls;
}
