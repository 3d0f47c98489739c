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

/**
 * Calls on their way to the payload log's thread: every body copied into one buffer that is
 * transferred, not cloned (a request's Buffer may share its memory with others, so it can't be
 * transferred itself), and the rest in flat arrays, which clone faster than one object per call.
 */
export interface CallBatch {
  type: 'batch';
  bodies: ArrayBuffer;
  /** endpointId, stageId, inferenceId, time: four per call */
  strings: string[];
  /** status, request length, answer length (-1: none), index in `settings`: four per call */
  numbers: Int32Array;
  settings: StagePayloadLogging[];
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

/** The batch of `calls` and what to transfer with it. */
export function encodeBatch(calls: readonly SampledCall[]): { batch: CallBatch; transfer: ArrayBuffer[] } {
  let size = 0;
  for (const call of calls) size += call.request.length + (call.answer?.length ?? 0);
  const bodies = Buffer.allocUnsafeSlow(size);
  const strings: string[] = [];
  const numbers = new Int32Array(calls.length * 4);
  const settings: StagePayloadLogging[] = [];
  const settingsIndex = new Map<StagePayloadLogging, number>();
  let offset = 0;
  calls.forEach((call, i) => {
    strings.push(call.endpointId, call.stageId, call.inferenceId, call.time);
    offset += call.request.copy(bodies, offset);
    if (call.answer) offset += call.answer.copy(bodies, offset);
    let index = settingsIndex.get(call.settings);
    if (index === undefined) {
      index = settings.push(call.settings) - 1;
      settingsIndex.set(call.settings, index);
    }
    numbers.set([call.status, call.request.length, call.answer ? call.answer.length : -1, index], i * 4);
  });
  return {
    batch: { type: 'batch', bodies: bodies.buffer, strings, numbers, settings },
    transfer: [bodies.buffer, numbers.buffer],
  };
}

/** The calls of a batch, their bodies views of its buffer. */
export function decodeBatch(batch: CallBatch): SampledCall[] {
  const calls: SampledCall[] = [];
  let offset = 0;
  const body = (length: number) => {
    const view = Buffer.from(batch.bodies, offset, length);
    offset += length;
    return view;
  };
  for (let i = 0; i < batch.numbers.length / 4; i += 1) {
    const number = (k: number) => batch.numbers[i * 4 + k] ?? 0;
    const string = (k: number) => batch.strings[i * 4 + k] ?? '';
    const settings = batch.settings[number(3)];
    if (!settings) throw new Error(`call ${i} of a batch names no settings`);
    const request = body(number(1));
    calls.push({
      endpointId: string(0),
      stageId: string(1),
      inferenceId: string(2),
      time: string(3),
      status: number(0),
      request,
      answer: number(2) < 0 ? null : body(number(2)),
      settings,
    });
  }
  return calls;
}
