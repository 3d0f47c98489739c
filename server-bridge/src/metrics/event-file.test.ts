import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cat,
  event,
  f32,
  f64,
  fileVersion,
  metadata,
  pBytes,
  pDouble,
  pFloat,
  point,
  pVarint,
  record,
  scalarShape,
  shape,
  simpleValue,
  tensorValue,
  unknownFields,
  varint,
} from '../testing/event-records.js';
import { readScalars, type TagKinds } from './event-file.js';
import { EventFileTailer } from './event-file-tailer.js';
import { findEventFiles, qualifiedTag, runNameFor } from './find-event-files.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'emkit-event-file-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('readScalars', () => {
  it('decodes every scalar encoding', () => {
    const bigStep = 2 ** 40 + 3;
    const bytes = cat(
      fileVersion(),
      event({ step: 1, values: [simpleValue('simple', 0.1), simpleValue('nan', Number.NaN)] }),
      event({ step: bigStep, wallTime: 12.25, values: [simpleValue('simple', -2)] }),
      event({
        step: 2,
        values: [
          // TF2 C++ writer: tensor_content, little-endian raw
          tensorValue('content', cat(pVarint(1, 1), scalarShape(), pBytes(4, f32(0.3))), metadata('scalars')),
          // torch new_style double_precision: double_val, packed
          tensorValue('double', cat(pVarint(1, 2), pBytes(6, f64(0.1))), metadata('scalars')),
          // packed float_val with a [1] shape
          tensorValue('packed', cat(pVarint(1, 1), shape(1), pBytes(5, f32(Number.POSITIVE_INFINITY))), metadata('scalars')),
          // unpacked float_val, and unknown fields inside the tensor
          tensorValue('unpacked', cat(pVarint(1, 1), unknownFields(), pFloat(5, -0.5)), metadata('scalars')),
          tensorValue('int64', cat(pVarint(1, 9), pVarint(10, -7)), metadata('scalars')),
          tensorValue('int32', cat(pVarint(1, 3), pVarint(7, -3)), metadata('scalars')),
          tensorValue('half', cat(pVarint(1, 19), pBytes(13, varint(0x3e00))), metadata('scalars')), // 1.5
          tensorValue('halfUnpacked', cat(pVarint(1, 19), pVarint(13, 0xfc00)), metadata('scalars')), // -inf
          tensorValue('bf16', cat(pVarint(1, 14), pBytes(4, Uint8Array.of(0xc0, 0x3f))), metadata('scalars')), // 1.5
          tensorValue('doubleContent', cat(pVarint(1, 2), pBytes(4, f64(Number.NaN)))),
          // another plugin that declares its data scalar
          tensorValue('declared', cat(pVarint(1, 1), pFloat(5, 4)), metadata('custom', 1)),
        ],
      }),
      event({ step: 3, values: [cat(unknownFields(), simpleValue('simple', 8), unknownFields())], extra: unknownFields() }),
    );
    const result = readScalars(bytes);
    expect(result.corrupt).toBeUndefined();
    expect(result.nextOffset).toBe(bytes.length);
    expect(result.points).toEqual([
      point('simple', 1, Math.fround(0.1)),
      point('nan', 1, Number.NaN),
      point('simple', bigStep, -2, 12.25),
      point('content', 2, Math.fround(0.3)),
      point('double', 2, 0.1),
      point('packed', 2, Number.POSITIVE_INFINITY),
      point('unpacked', 2, -0.5),
      point('int64', 2, -7),
      point('int32', 2, -3),
      point('half', 2, 1.5),
      point('halfUnpacked', 2, Number.NEGATIVE_INFINITY),
      point('bf16', 2, 1.5),
      point('doubleContent', 2, Number.NaN),
      point('declared', 2, 4),
      point('simple', 3, 8),
    ]);
    expect(Number.isNaN(result.points[1]!.value)).toBe(true);
  });

  it('skips what is not a scalar', () => {
    const stringTensor = (s: string) => cat(pVarint(1, 7), scalarShape(), pBytes(8, s));
    const bytes = cat(
      event({
        values: [
          tensorValue(
            'image',
            cat(pVarint(1, 7), shape(3), pBytes(8, '2'), pBytes(8, '2'), pBytes(8, 'png')),
            metadata('images'),
          ),
          cat(pBytes(1, 'oldImage'), pBytes(4, pVarint(1, 2))),
          cat(pBytes(1, 'histo'), pBytes(5, pDouble(1, 0))),
          tensorValue('text', stringTensor('hello'), metadata('text')),
          tensorValue('hist2', cat(pVarint(1, 2), shape(2, 3), pBytes(6, cat(...[1, 2, 3, 4, 5, 6].map(f64))))),
          tensorValue('_hparams_/session_start_info', cat(pVarint(1, 3), pVarint(7, 0)), metadata('hparams')),
          tensorValue('generic', cat(pVarint(1, 1), pFloat(5, 1)), metadata('tensor')),
          tensorValue('empty', cat(pVarint(1, 1), shape(0)), metadata('scalars')),
          cat(pBytes(1, 'metadataOnly'), metadata('hparams')),
          simpleValue('kept', 1),
        ],
      }),
    );
    expect(readScalars(bytes).points.map((p) => p.tag)).toEqual(['kept']);
  });

  it('remembers what a tag was declared as when later values omit the metadata (TF2)', () => {
    const kinds: TagKinds = new Map();
    const first = event({
      step: 0,
      values: [
        tensorValue('loss', cat(pVarint(1, 1), pFloat(5, 1)), metadata('scalars')),
        tensorValue('hp', cat(pVarint(1, 3), pVarint(7, 0)), metadata('hparams')),
      ],
    });
    const later = event({
      step: 1,
      values: [tensorValue('loss', cat(pVarint(1, 1), pFloat(5, 2))), tensorValue('hp', cat(pVarint(1, 3), pVarint(7, 1)))],
    });
    const a = readScalars(first, 0, kinds);
    const b = readScalars(cat(first, later), a.nextOffset, kinds);
    expect([...a.points, ...b.points].map((p) => [p.tag, p.value])).toEqual([
      ['loss', 1],
      ['loss', 2],
    ]);
    // Resumed without the memory: a numeric one-element tensor is the best guess for a scalar.
    expect(readScalars(later).points.map((p) => p.tag)).toEqual(['loss', 'hp']);
  });

  it('stops before a partial trailing record, at every cut', () => {
    const records = [
      fileVersion(),
      event({ step: 1, values: [simpleValue('a', 1)] }),
      event({ step: 2, values: [simpleValue('a', 2)] }),
    ];
    const bytes = cat(...records);
    const ends = records.map((_, i) => records.slice(0, i + 1).reduce((n, r) => n + r.length, 0));
    for (let cut = 0; cut <= bytes.length; cut++) {
      const result = readScalars(bytes.subarray(0, cut));
      const complete = ends.filter((end) => end <= cut);
      expect(result.corrupt).toBeUndefined();
      expect(result.nextOffset).toBe(complete.at(-1) ?? 0);
      expect(result.points.map((p) => p.step)).toEqual([1, 2].slice(0, Math.max(0, complete.length - 1)));
      // The rest, read from nextOffset once all bytes are there, completes the series exactly.
      const rest = readScalars(bytes, result.nextOffset);
      expect([...result.points, ...rest.points].map((p) => p.step)).toEqual([1, 2]);
    }
  });

  it('reports a CRC mismatch with the offset, keeping the points before it', () => {
    const good = event({ step: 1, values: [simpleValue('a', 1)] });
    const bad = event({ step: 2, values: [simpleValue('a', 2)] });
    const after = event({ step: 3, values: [simpleValue('a', 3)] });

    const dataFlipped = cat(good, bad, after);
    dataFlipped[good.length + 20]! ^= 0x01;
    const r1 = readScalars(dataFlipped);
    expect(r1.points.map((p) => p.step)).toEqual([1]);
    expect(r1.nextOffset).toBe(good.length);
    expect(r1.corrupt).toBe(`data CRC mismatch in record at offset ${good.length}`);

    const lengthFlipped = cat(good, bad, after);
    lengthFlipped[good.length]! ^= 0x01;
    const r2 = readScalars(lengthFlipped);
    expect(r2.points.map((p) => p.step)).toEqual([1]);
    expect(r2.corrupt).toBe(`length CRC mismatch in record at offset ${good.length}`);
  });

  it('skips a record that passes its CRC but is not a protobuf Event', () => {
    const bytes = cat(record(Uint8Array.of(0x0a, 0x05, 0x01)), event({ step: 4, values: [simpleValue('a', 1)] }));
    const result = readScalars(bytes);
    expect(result.corrupt).toBeUndefined();
    expect(result.points.map((p) => p.step)).toEqual([4]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Cross-check against files written by the real writers.

const python = fileURLToPath(new URL('../../../.venv/bin/python', import.meta.url));

function pythonProblem(): string | undefined {
  if (!existsSync(python)) return `no ${python}`;
  const probe = spawnSync(python, ['-c', 'import tensorboard'], { encoding: 'utf8', timeout: 60_000 });
  if (probe.status !== 0)
    return `tensorboard does not import: ${(probe.stderr || String(probe.error)).trim().split('\n').at(-1)}`;
  return undefined;
}
const problem = pythonProblem();

const WRITER_SCRIPT = `
import math, os, struct, sys
from tensorboard.compat.proto import event_pb2, summary_pb2, tensor_pb2, tensor_shape_pb2
from tensorboard.summary.writer.event_file_writer import EventFileWriter

root = sys.argv[1]
w = EventFileWriter(os.path.join(root, 'tb'))
def add(step, *values, wall_time=1700000000.25):
    w.add_event(event_pb2.Event(wall_time=wall_time, step=step, summary=summary_pb2.Summary(value=list(values))))

for step, v in [(0, 0.5), (1, float('nan')), (2**33 + 1, -1.25)]:
    add(step, summary_pb2.Summary.Value(tag='tb/simple', simple_value=v))

# TF2 style, metadata on the first value of each tag only, as TF2 writers do.
Meta = summary_pb2.SummaryMetadata
scalars = Meta(plugin_data=Meta.PluginData(plugin_name='scalars'))
for step, v in [(0, 0.1), (1, 2.5), (2, float('inf'))]:
    t = tensor_pb2.TensorProto(dtype=1, float_val=[v], tensor_shape=tensor_shape_pb2.TensorShapeProto())
    add(step, summary_pb2.Summary.Value(tag='tb/tensor', tensor=t, metadata=scalars if step == 0 else None))
    t = tensor_pb2.TensorProto(dtype=2, tensor_content=struct.pack('<d', v / 3), tensor_shape=tensor_shape_pb2.TensorShapeProto())
    add(step, summary_pb2.Summary.Value(tag='tb/double', tensor=t, metadata=scalars if step == 0 else None))
add(5, summary_pb2.Summary.Value(tag='tb/int', tensor=tensor_pb2.TensorProto(dtype=9, int64_val=[-(2**40)]), metadata=scalars))

# Not scalars: an image, a text tensor, hparams.
add(0, summary_pb2.Summary.Value(tag='tb/image', image=summary_pb2.Summary.Image(height=1, width=1, colorspace=3, encoded_image_string=b'png')))
text = Meta(plugin_data=Meta.PluginData(plugin_name='text'))
add(0, summary_pb2.Summary.Value(tag='tb/text', tensor=tensor_pb2.TensorProto(dtype=7, string_val=[b'hi']), metadata=text))
hp = Meta(plugin_data=Meta.PluginData(plugin_name='hparams', content=b'x'))
add(0, summary_pb2.Summary.Value(tag='_hparams_/session_start_info', tensor=tensor_pb2.TensorProto(dtype=3, int_val=[0]), metadata=hp))
w.close()

try:
    from torch.utils.tensorboard import SummaryWriter
except Exception as e:
    print('torch: unavailable:', repr(e))
    sys.exit(0)
sw = SummaryWriter(log_dir=os.path.join(root, 'torch'))
sw.add_scalar('loss', 0.25, 0, walltime=1700000001.5)
sw.add_scalar('loss', 0.125, 1, walltime=1700000001.5)
sw.add_scalar('acc', 0.75, 3, walltime=1700000001.5, new_style=True)
sw.add_scalar('dbl', 0.1, 4, walltime=1700000001.5, new_style=True, double_precision=True)
sw.add_scalars('lr', {'a': 0.5, 'b': 2.0}, 5, walltime=1700000001.5)
sw.close()
print('torch: ok')
`;

async function readDir(dir: string): Promise<[string, number, number, number][]> {
  const out: [string, number, number, number][] = [];
  const files = await findEventFiles(dir, (unreadable, error) => {
    throw new Error(`${unreadable}: ${error.message}`);
  });
  for (const file of files) {
    const tailer = new EventFileTailer(file);
    for (const p of await tailer.poll()) out.push([qualifiedTag(runNameFor(dir, file), p.tag), p.step, p.value, p.wallTime]);
    expect(tailer.corrupt).toBeUndefined();
  }
  return out.sort((a, b) => a[0].localeCompare(b[0]) || a[1] - b[1]);
}

describe('real writers', () => {
  let written: { root: string; torch: string } | undefined;
  const write = () => {
    if (written !== undefined) return written;
    const root = path.join(tmp, 'python');
    const run = spawnSync(python, ['-c', WRITER_SCRIPT, root], { encoding: 'utf8', timeout: 120_000 });
    if (run.status !== 0) throw new Error(`writer script failed: ${run.stderr || run.error}`);
    written = { root, torch: run.stdout.trim().split('\n').at(-1) ?? '' };
    return written;
  };

  it.skipIf(problem !== undefined)(
    `tensorboard's EventFileWriter: simple_value and TF2 tensors${problem ? ` (skipped: ${problem})` : ''}`,
    async () => {
      const { root } = write();
      const wall = 1700000000.25;
      expect(await readDir(path.join(root, 'tb'))).toEqual([
        ['tb/double', 0, 0.1 / 3, wall],
        ['tb/double', 1, 2.5 / 3, wall],
        ['tb/double', 2, Number.POSITIVE_INFINITY, wall],
        ['tb/int', 5, -(2 ** 40), wall],
        ['tb/simple', 0, 0.5, wall],
        ['tb/simple', 1, Number.NaN, wall],
        ['tb/simple', 2 ** 33 + 1, -1.25, wall],
        ['tb/tensor', 0, Math.fround(0.1), wall],
        ['tb/tensor', 1, 2.5, wall],
        ['tb/tensor', 2, Number.POSITIVE_INFINITY, wall],
      ]);
    },
  );

  it.skipIf(problem !== undefined)(
    `torch's SummaryWriter: add_scalar, new_style, add_scalars${problem ? ` (skipped: ${problem})` : ''}`,
    async (ctx) => {
      const { root, torch } = write();
      if (torch !== 'torch: ok') {
        console.log(`skipping the torch cross-check: ${torch}`);
        ctx.skip(torch);
      }
      const wall = 1700000001.5;
      expect(await readDir(path.join(root, 'torch'))).toEqual([
        ['acc', 3, 0.75, wall],
        ['dbl', 4, 0.1, wall],
        ['loss', 0, 0.25, wall],
        ['loss', 1, 0.125, wall],
        ['lr_a/lr', 5, 0.5, wall],
        ['lr_b/lr', 5, 2, wall],
      ]);
    },
  );
});
