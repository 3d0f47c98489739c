"""TensorBoard's event-file format, encoded by hand (no TensorFlow, TensorBoard or protobuf).

An event file is a sequence of TFRecords -- uint64 LE length, masked CRC32C of those 8
bytes, the data, masked CRC32C of the data -- each holding one serialized
``tensorflow.Event`` (tensorflow/core/util/event.proto, framework/summary.proto). Only
what scalars need is encoded here; the bridge's reader (server-bridge/src/metrics/
event-file.ts) is the other side.
"""

from __future__ import annotations

import itertools
import math
import os
import struct
import time

FILE_VERSION = b"brain.Event:2"

# --- CRC32C (Castagnoli), table-driven ------------------------------------------------------


def _crc_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_TABLE = _crc_table()


def crc32c(data: bytes) -> int:
    crc, table = 0xFFFFFFFF, _TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data: bytes) -> int:
    """TFRecord's masking, so that a CRC of data holding CRCs stays well distributed."""
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def record(data: bytes) -> bytes:
    length = struct.pack("<Q", len(data))
    return length + struct.pack("<I", masked_crc32c(length)) + data + struct.pack("<I", masked_crc32c(data))


# --- protobuf wire format -------------------------------------------------------------------

_VARINT, _FIXED64, _BYTES, _FIXED32 = 0, 1, 2, 5


def _varint(value: int) -> bytes:
    value &= 0xFFFFFFFFFFFFFFFF  # int64: a negative is its two's complement, 10 bytes
    out = bytearray()
    while value > 0x7F:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _key(field: int, wire: int) -> bytes:
    return _varint(field << 3 | wire)


def _message(field: int, payload: bytes) -> bytes:
    return _key(field, _BYTES) + _varint(len(payload)) + payload


# tensorflow.Event
_EVENT_WALL_TIME, _EVENT_STEP, _EVENT_FILE_VERSION, _EVENT_SUMMARY, _EVENT_SESSION_LOG = 1, 2, 3, 5, 7
_SESSION_LOG_STATUS, _SESSION_LOG_START = 1, 1
# tensorflow.Summary / Summary.Value / SummaryMetadata(.PluginData)
_SUMMARY_VALUE = 1
_VALUE_TAG, _VALUE_SIMPLE, _VALUE_TENSOR, _VALUE_METADATA = 1, 2, 8, 9
_METADATA_PLUGIN_DATA, _PLUGIN_NAME = 1, 1
# tensorflow.TensorProto
_TENSOR_DTYPE, _TENSOR_FLOAT_VAL, _TENSOR_DOUBLE_VAL = 1, 5, 6
_DT_FLOAT, _DT_DOUBLE = 1, 2


def event(
    wall_time: float,
    step: int | None = None,
    summary: bytes | None = None,
    file_version: bool = False,
    session_start: bool = False,
) -> bytes:
    """A serialized Event. ``summary`` comes from :func:`summary`."""
    out = _key(_EVENT_WALL_TIME, _FIXED64) + struct.pack("<d", wall_time)
    if step:  # 0 is proto3's default: left out, as protobuf itself does
        out += _key(_EVENT_STEP, _VARINT) + _varint(int(step))
    if file_version:
        out += _message(_EVENT_FILE_VERSION, FILE_VERSION)
    if summary is not None:
        out += _message(_EVENT_SUMMARY, summary)
    if session_start:
        out += _message(_EVENT_SESSION_LOG, _key(_SESSION_LOG_STATUS, _VARINT) + _varint(_SESSION_LOG_START))
    return out


def summary(*values: bytes) -> bytes:
    return b"".join(_message(_SUMMARY_VALUE, value) for value in values)


def _float32(value: float) -> bytes:
    try:
        return struct.pack("<f", value)
    except OverflowError:  # beyond float32's range: infinite, as a C cast would make it
        return struct.pack("<f", math.copysign(math.inf, value))


def simple_value(tag: str, value: float) -> bytes:
    """A TF1-style scalar (``simple_value``, a float32), as torch's add_scalar writes by default."""
    return _message(_VALUE_TAG, tag.encode("utf-8")) + _key(_VALUE_SIMPLE, _FIXED32) + _float32(value)


def tensor_value(tag: str, value: float, double: bool = False) -> bytes:
    """A TF2-style scalar: a one-element tensor marked with the "scalars" plugin."""
    if double:
        tensor = (
            _key(_TENSOR_DTYPE, _VARINT) + _varint(_DT_DOUBLE) + _message(_TENSOR_DOUBLE_VAL, struct.pack("<d", value))
        )
    else:
        tensor = _key(_TENSOR_DTYPE, _VARINT) + _varint(_DT_FLOAT) + _message(_TENSOR_FLOAT_VAL, _float32(value))
    metadata = _message(_METADATA_PLUGIN_DATA, _message(_PLUGIN_NAME, b"scalars"))
    return (
        _message(_VALUE_TAG, tag.encode("utf-8"))
        + _message(_VALUE_TENSOR, tensor)
        + _message(_VALUE_METADATA, metadata)
    )


# --- files ----------------------------------------------------------------------------------

_file_counter = itertools.count()


def file_name(suffix: str = "") -> str:
    """``events.out.tfevents.<time>.<host>.<pid>.<n><suffix>``, as TensorBoard's writers name files."""
    import socket

    # the counter zero-padded: TensorBoard reads a run's files in name order, and a process's 10th
    # file of a second must sort after its 9th (a resumed writer's purge_step depends on it)
    stamp = f"{int(time.time()):010d}.{socket.gethostname()}.{os.getpid()}.{next(_file_counter):06d}"
    return f"events.out.tfevents.{stamp}{suffix}"
