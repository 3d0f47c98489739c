import { type Static, Type } from '@sinclair/typebox';
import { Name } from './common.js';

/*
 * The KServe V1 and Open Inference Protocol (KServe V2, Triton, MLServer) shapes the
 * gateway answers besides its own `/inference/...`. A model name is an endpoint's name;
 * a V2 model version is one of its stages.
 */

// --- KServe V1 ---------------------------------------------------------------------------

export const KserveLive = Type.Object({ status: Type.Literal('alive') }, { title: 'KserveLive' });
export const KserveModelList = Type.Object(
  { models: Type.Array(Type.String(), { description: 'the endpoints, by name' }) },
  { title: 'KserveModelList' },
);
export const ModelReadiness = Type.Object(
  { name: Type.String(), ready: Type.Boolean() },
  { title: 'ModelReadiness', description: 'answered 200 when ready; a model that is not ready gets 503' },
);
export type ModelReadiness = Static<typeof ModelReadiness>;

// --- Open Inference Protocol (V2) ---------------------------------------------------------

export const TENSOR_DATATYPES = [
  'BOOL',
  'UINT8',
  'UINT16',
  'UINT32',
  'UINT64',
  'INT8',
  'INT16',
  'INT32',
  'INT64',
  'FP16',
  'FP32',
  'FP64',
  'BYTES',
] as const;
export type TensorDatatype = (typeof TENSOR_DATATYPES)[number];
const Datatype = Type.Union(TENSOR_DATATYPES.map((d) => Type.Literal(d)));

export const V2ServerMetadata = Type.Object(
  { name: Type.String(), version: Type.String(), extensions: Type.Array(Type.String()) },
  { title: 'V2ServerMetadata' },
);
export const V2Live = Type.Object({ live: Type.Boolean() }, { title: 'V2Live' });
export const V2Ready = Type.Object(
  { ready: Type.Boolean() },
  { title: 'V2Ready', description: 'the bridge takes inference calls; each model says its own readiness' },
);

const TensorMetadata = Type.Object({ name: Type.String(), datatype: Type.String(), shape: Type.Array(Type.Integer()) });
export const V2ModelMetadata = Type.Object(
  {
    name: Type.String(),
    versions: Type.Array(Type.String(), { description: "the endpoint's stages: address one as /versions/{stage}" }),
    platform: Type.String({ description: "the model's framework (scikit-learn, pytorch, onnx, tensorflow, custom)" }),
    inputs: Type.Array(TensorMetadata, { description: 'empty: the bridge does not know a model signature' }),
    outputs: Type.Array(TensorMetadata),
  },
  { title: 'V2ModelMetadata' },
);
export type V2ModelMetadata = Static<typeof V2ModelMetadata>;

const Parameters = Type.Record(Type.String(), Type.Unknown());
export const V2InferRequest = Type.Object(
  {
    id: Type.Optional(Type.String()),
    parameters: Type.Optional(Parameters),
    inputs: Type.Array(
      Type.Object({
        name: Type.String(),
        shape: Type.Array(Type.Integer({ minimum: 0 }), { minItems: 1, description: 'the first dimension is the batch' }),
        datatype: Datatype,
        parameters: Type.Optional(Parameters),
        data: Type.Optional(
          Type.Array(Type.Unknown(), {
            description: 'row-major, flat or nested; absent when `parameters.binary_data_size` says it follows the JSON',
          }),
        ),
      }),
      {
        minItems: 1,
        description: 'one tensor: its rows are the instances; several: each is one column ([N] or [N, 1]) of them',
      },
    ),
    outputs: Type.Optional(Type.Array(Type.Object({ name: Type.String(), parameters: Type.Optional(Parameters) }))),
  },
  { title: 'V2InferRequest' },
);
export type V2InferRequest = Static<typeof V2InferRequest>;

export const V2InferResponse = Type.Object(
  {
    model_name: Type.String(),
    model_version: Type.String({ description: 'the stage that answered' }),
    id: Type.String({ description: "the request's id, else the inference id" }),
    outputs: Type.Array(
      Type.Object({
        name: Type.String(),
        shape: Type.Array(Type.Integer()),
        datatype: Datatype,
        data: Type.Array(Type.Unknown()),
      }),
    ),
  },
  { title: 'V2InferResponse' },
);
export type V2InferResponse = Static<typeof V2InferResponse>;

export const V2ModelParams = Type.Object({ endpoint: Name }, { additionalProperties: false });
export const V2VersionParams = Type.Object({ endpoint: Name, stage: Name }, { additionalProperties: false });
