import { describe, expect, it } from 'vitest';
import { HttpError } from './errors.js';
import { parseV2Request, v2Response } from './open-inference.js';

const json = (document: unknown) => Buffer.from(JSON.stringify(document));
const tensor = (data: unknown[], shape: number[], datatype = 'FP32', name = 'x') => ({ name, shape, datatype, data });

/** The 400 a request gets: its field and message. */
function refusal(body: Buffer, jsonLength?: string): { field?: string; message: string; status: number } {
  try {
    parseV2Request(body, jsonLength);
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    return { field: error.field, message: error.message, status: error.status };
  }
  throw new Error('the request was taken');
}

describe('V2 request → instances', () => {
  it('makes the rows of one tensor the instances, from flat or nested data', () => {
    const flat = parseV2Request(json({ id: 'a', inputs: [tensor([1, 2, 3, 4, 5, 6], [2, 3])] }), undefined);
    expect(flat).toEqual({
      id: 'a',
      instances: [
        [1, 2, 3],
        [4, 5, 6],
      ],
    });
    const nested = parseV2Request(
      json({
        inputs: [
          tensor(
            [
              [1, 2, 3],
              [4, 5, 6],
            ],
            [2, 3],
          ),
        ],
      }),
      undefined,
    );
    expect(nested.instances).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const cube = parseV2Request(json({ inputs: [tensor([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2], 'INT32')] }), undefined);
    expect(cube.instances).toEqual([
      [
        [1, 2],
        [3, 4],
      ],
      [
        [5, 6],
        [7, 8],
      ],
    ]);
  });

  it('makes several [N] or [N, 1] inputs the columns of the instances, in order', () => {
    const call = parseV2Request(
      json({ inputs: [tensor([1, 2], [2], 'INT64', 'a'), tensor([0.5, 1.5], [2, 1], 'FP64', 'b')] }),
      undefined,
    );
    expect(call.instances).toEqual([
      [1, 0.5],
      [2, 1.5],
    ]);
    const wide = refusal(json({ inputs: [tensor([1, 2], [2], 'INT64', 'a'), tensor([1, 2, 3, 4], [2, 2], 'FP64', 'b')] }));
    expect(wide).toMatchObject({ status: 400, field: 'inputs[1].shape' });
  });

  it('refuses a bad tensor with a 400 naming the field', () => {
    const cases: [unknown, string][] = [
      [{ inputs: [] }, 'inputs'],
      [{ instances: [[1]] }, 'inputs'],
      [{ inputs: [tensor([1, 2, 3], [2, 2])] }, 'inputs[0].data'],
      [{ inputs: [tensor([1, 2], [2], 'FLOAT')] }, 'inputs[0].datatype'],
      [{ inputs: [tensor([1, 2], [-2])] }, 'inputs[0].shape'],
      [{ inputs: [tensor([1, 2], [])] }, 'inputs[0].shape'],
      [{ inputs: [tensor([1, 'x'], [2])] }, 'inputs[0].data[1]'],
      [{ inputs: [tensor([1, 2.5], [2], 'INT32')] }, 'inputs[0].data[1]'],
      [{ inputs: [tensor([300], [1], 'UINT8')] }, 'inputs[0].data[0]'],
      [{ inputs: [tensor([-1], [1], 'UINT32')] }, 'inputs[0].data[0]'],
      [{ inputs: [tensor([1], [1], 'BOOL')] }, 'inputs[0].data[0]'],
      [{ inputs: [tensor([1], [1], 'BYTES')] }, 'inputs[0].data[0]'],
      [{ inputs: [{ name: 'x', shape: [1], datatype: 'FP32' }] }, 'inputs[0].data'],
      [{ inputs: [{ name: '', shape: [1], datatype: 'FP32', data: [1] }] }, 'inputs[0].name'],
      [{ inputs: [tensor([1], [1]), tensor([2], [1])] }, 'inputs[1].name'],
      [{ inputs: [tensor([1], [1])], outputs: [{ name: 'probabilities' }] }, 'outputs[0].name'],
    ];
    for (const [document, field] of cases) {
      expect(refusal(json(document)), JSON.stringify(document)).toMatchObject({ status: 400, field });
    }
    expect(refusal(Buffer.from('{"inputs": ['))).toMatchObject({ status: 400, field: undefined });
    expect(refusal(json({ inputs: [tensor([1, 2, 3], [2, 2])] })).message).toBe('has 3 values where shape [2, 2] holds 4');
  });

  it('reads binary tensors after the JSON (the binary tensor extension), little-endian', () => {
    const values = new Float32Array([1.5, -2, 3.25, 4]);
    const head = json({
      inputs: [
        { name: 'x', shape: [2, 2], datatype: 'FP32', parameters: { binary_data_size: 16 } },
        { name: 'w', shape: [2], datatype: 'BYTES', parameters: { binary_data_size: 10 } },
      ],
    });
    const strings = Buffer.concat([Buffer.from([2, 0, 0, 0]), Buffer.from('hi'), Buffer.from([0, 0, 0, 0])]);
    const bytes = Buffer.concat([head, Buffer.from(values.buffer), strings]);
    expect(bytes.length).toBe(head.length + 26);
    // two inputs: columns, so the 2 × 2 one is refused; alone it is the rows
    expect(refusal(bytes, String(head.length)).field).toBe('inputs[0].shape');
    const single = json({ inputs: [{ name: 'x', shape: [2, 2], datatype: 'FP32', parameters: { binary_data_size: 16 } }] });
    const call = parseV2Request(Buffer.concat([single, Buffer.from(values.buffer)]), String(single.length));
    expect(call.instances).toEqual([
      [1.5, -2],
      [3.25, 4],
    ]);
    const half = json({ inputs: [{ name: 'h', shape: [2], datatype: 'FP16', parameters: { binary_data_size: 4 } }] });
    const halves = parseV2Request(Buffer.concat([half, Buffer.from([0x00, 0x3c, 0x00, 0xc0])]), String(half.length));
    expect(halves.instances).toEqual([1, -2]);
  });

  it('refuses binary tensors whose sizes do not add up', () => {
    const head = json({ inputs: [{ name: 'x', shape: [2], datatype: 'FP32', parameters: { binary_data_size: 8 } }] });
    expect(refusal(Buffer.concat([head, Buffer.alloc(4)]), String(head.length)).field).toBe(
      'inputs[0].parameters.binary_data_size',
    );
    expect(refusal(Buffer.concat([head, Buffer.alloc(12)]), String(head.length)).field).toBe('Inference-Header-Content-Length');
    expect(refusal(Buffer.concat([head, Buffer.alloc(8)]), 'ten').field).toBe('Inference-Header-Content-Length');
    const wide = json({ inputs: [{ name: 'x', shape: [1], datatype: 'INT64', parameters: { binary_data_size: 8 } }] });
    const big = Buffer.alloc(8);
    big.writeBigInt64LE(2n ** 60n);
    expect(refusal(Buffer.concat([wide, big]), String(wide.length)).message).toContain('2^53');
  });
});

describe('predictions → V2 answer', () => {
  const answer = (text: string) => v2Response(Buffer.from(text), 'iris', 'default', 'id-1');

  it('shapes the predictions as one tensor, typed from what Python wrote', () => {
    expect(answer('{"predictions":[0,1,2]}')).toEqual({
      model_name: 'iris',
      model_version: 'default',
      id: 'id-1',
      outputs: [{ name: 'output-0', shape: [3], datatype: 'INT64', data: [0, 1, 2] }],
    });
    expect(answer('{"predictions":[[0.5,1.0],[2.0,3.0]]}').outputs[0]).toMatchObject({
      shape: [2, 2],
      datatype: 'FP64',
      data: [0.5, 1, 2, 3],
    });
    expect(answer('{"predictions":["setosa","virginica"]}').outputs[0]).toMatchObject({ datatype: 'BYTES' });
    expect(answer('{"predictions":[true,false]}').outputs[0]).toMatchObject({ datatype: 'BOOL' });
    expect(answer('{"predictions":[]}').outputs[0]).toMatchObject({ shape: [0], data: [] });
  });

  it('says 422 for predictions that are not one tensor', () => {
    for (const text of [
      '{"predictions":[[1,2],[3]]}',
      '{"predictions":[["a",1.5]]}',
      '{"predictions":[[1,2],[3,[4]]]}',
      '{"predictions":{"label":1}}',
      // a worker's 200 that is no such JSON at all is refused the same way, never thrown past the gateway's count
      'not json',
      'null',
    ]) {
      expect(() => answer(text), text).toThrow(expect.objectContaining({ status: 422 }));
    }
  });
});
