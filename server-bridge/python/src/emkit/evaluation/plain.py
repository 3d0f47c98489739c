"""numpy and pandas values as plain JSON: numpy scalars as Python ones, NaN and infinities as null.

The bridge reads result.json, curves.json and status.json with JSON.parse, which knows no
NaN; every file is written whole (a temporary file, then a rename) so a reader never sees half.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
from typing import Any


def scalar(value):
    """One value as JSON has it: numpy's scalars as Python's, NaN/inf as None."""
    item = getattr(value, "item", None)
    if item is not None and not isinstance(value, (list, dict, str)):
        with contextlib.suppress(TypeError, ValueError):
            value = item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def plain(value) -> Any:
    """Recursively: dicts, lists, tuples and numpy arrays of plain values."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is float:
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    tolist = getattr(value, "tolist", None)
    if tolist is not None and getattr(value, "ndim", 0) > 0:
        return plain(tolist())
    return scalar(value)


def floats(array) -> list:
    """A float array as a list, NaN as None: the fast path for long arrays (curves)."""
    import numpy

    array = numpy.asarray(array, dtype=float)
    if numpy.isfinite(array).all():
        return array.tolist()
    return [None if not math.isfinite(x) else x for x in array.tolist()]


def write_json(path: str, document, durable: bool = False) -> None:
    """Replace ``path`` with ``document`` as JSON, atomically; ``durable`` also fsyncs it."""
    temporary = f"{path}.{os.getpid()}.tmp"
    with open(temporary, "w", encoding="utf-8") as file:
        file.write(json.dumps(document, allow_nan=False, separators=(",", ":")))
        file.write("\n")
        if durable:
            file.flush()
            os.fsync(file.fileno())
    os.replace(temporary, path)
