// Decoding one serialized `tensorflow.Event` into scalar points. Scalars come in two shapes depending on the writer:
// - TF1 style (`simple_value`): PyTorch's SummaryWriter and tensorboardX by default, our own Python writer;
// - TF2 style (a one-element `tensor` + metadata plugin "scalars"): tf.summary.scalar, the Keras callback,
//   torch's add_scalar(new_style=True). TF2 writers attach the metadata only to a tag's first value, so a value
//   without metadata inherits what its tag was declared as earlier in the file (see `TagKinds`).

import { ProtoReader, WIRE_FIXED32, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT } from './proto-reader.js';
import { tensorScalar } from './tensor-scalar.js';

export interface ScalarPoint {
  tag: string;
  step: number;
  value: number;
  wallTime: number;
}

/**
 * What each tag was declared as by the metadata of its first value: true for a scalar, false for anything else
 * (hparams, text, a generic tensor, ...). Keep one per file across incremental reads.
 */
export type TagKinds = Map<string, boolean>;

// tensorflow/core/util/event.proto: Event
const EVENT_WALL_TIME = 1;
const EVENT_STEP = 2;
const EVENT_SUMMARY = 5;
// tensorflow/core/framework/summary.proto: Summary, Summary.Value, SummaryMetadata
const SUMMARY_VALUE = 1;
const VALUE_TAG = 1;
const VALUE_SIMPLE = 2;
const VALUE_IMAGE = 4;
const VALUE_HISTO = 5;
const VALUE_AUDIO = 6;
const VALUE_TENSOR = 8;
const VALUE_METADATA = 9;
const METADATA_PLUGIN_DATA = 1;
const METADATA_DATA_CLASS = 4;
const PLUGIN_DATA_NAME = 1;
const DATA_CLASS_SCALAR = 1;

/** Appends the scalar points of one serialized Event to `out`. */
export function eventScalars(data: Uint8Array, tagKinds: TagKinds, out: ScalarPoint[]): void {
  const r = new ProtoReader(data);
  let wallTime = 0;
  let step = 0;
  const summaries: ProtoReader[] = [];
  while (r.next()) {
    const { field, wire } = r;
    if (field === EVENT_WALL_TIME && wire === WIRE_FIXED64) wallTime = r.double();
    else if (field === EVENT_STEP && wire === WIRE_VARINT) step = r.int64();
    else if (field === EVENT_SUMMARY && wire === WIRE_LEN) summaries.push(r.sub());
    else r.skip(); // file_version, graph_def, log_message, session_log, ...
  }
  // Decoded after the loop: protobuf allows step and wall_time to come after the summary.
  for (const summary of summaries) {
    while (summary.next()) {
      if (summary.field !== SUMMARY_VALUE || summary.wire !== WIRE_LEN) {
        summary.skip();
        continue;
      }
      const value = valueScalar(summary.sub(), tagKinds);
      if (value !== undefined) out.push({ tag: value.tag, step, value: value.value, wallTime });
    }
  }
}

interface Metadata {
  pluginName: string;
  dataClass: number;
}

/** A Summary.Value as a scalar, or undefined when it is something else (image, histogram, text, hparams, ...). */
function valueScalar(r: ProtoReader, tagKinds: TagKinds): { tag: string; value: number } | undefined {
  let tag = '';
  let simple: number | undefined;
  let tensor: ProtoReader | undefined;
  let metadata: Metadata | undefined;
  let otherKind = false;
  while (r.next()) {
    const { field, wire } = r;
    if (field === VALUE_TAG && wire === WIRE_LEN) tag = r.string();
    else if (field === VALUE_SIMPLE && wire === WIRE_FIXED32) simple = r.float();
    else if (field === VALUE_TENSOR && wire === WIRE_LEN)
      tensor = r.sub(); // decoded only if it turns out a scalar
    else if (field === VALUE_METADATA && wire === WIRE_LEN) metadata = readMetadata(r.sub());
    else {
      if (field === VALUE_IMAGE || field === VALUE_HISTO || field === VALUE_AUDIO) otherKind = true;
      r.skip();
    }
  }

  // The first value of a tag that carries metadata decides what the tag is; later ones inherit it.
  let isScalar: boolean | undefined;
  if (metadata !== undefined && (metadata.pluginName !== '' || metadata.dataClass !== 0)) {
    isScalar = metadata.dataClass === DATA_CLASS_SCALAR || metadata.pluginName === 'scalars';
    if (!tagKinds.has(tag)) tagKinds.set(tag, isScalar);
  } else {
    isScalar = tagKinds.get(tag);
  }

  if (simple !== undefined) return { tag, value: simple }; // TF1 style is a scalar by construction
  if (otherKind || tensor === undefined || isScalar === false) return undefined;
  // Without any metadata (e.g. resumed past a tag's first value), a numeric one-element tensor is taken as a scalar;
  // what other plugins write without metadata is not numeric (text, images) or has more elements (histograms).
  const value = tensorScalar(tensor);
  return value === undefined ? undefined : { tag, value };
}

function readMetadata(r: ProtoReader): Metadata {
  const metadata: Metadata = { pluginName: '', dataClass: 0 };
  while (r.next()) {
    const { field, wire } = r;
    if (field === METADATA_PLUGIN_DATA && wire === WIRE_LEN) {
      const plugin = r.sub();
      while (plugin.next()) {
        if (plugin.field === PLUGIN_DATA_NAME && plugin.wire === WIRE_LEN) metadata.pluginName = plugin.string();
        else plugin.skip();
      }
    } else if (field === METADATA_DATA_CLASS && wire === WIRE_VARINT) {
      metadata.dataClass = r.uint64();
    } else {
      r.skip();
    }
  }
  return metadata;
}
