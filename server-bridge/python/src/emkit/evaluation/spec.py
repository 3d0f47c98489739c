"""spec.json: what the bridge asks the evaluation runner to do, read and checked once.

The bridge writes it (see /work/notes/eval-contract.md and shared/src/schemas/evaluations.ts);
an invalid one is the bridge's bug, reported as FAILED with the field at fault.
"""

from __future__ import annotations

import json
import sys
from typing import Any

FORMATS = ("csv", "parquet", "jsonl", "folder")
TASKS = ("classification", "regression", "clustering")
DEFAULT_THRESHOLD = 0.5
DEFAULT_MAX_ERRORS = 50
DEFAULT_BATCH_ROWS = 4096


class SpecError(ValueError):
    """spec.json is unreadable or invalid; ``field`` names the part at fault."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class DataSpec:
    def __init__(self, raw: Any):
        if not isinstance(raw, dict):
            raise SpecError("data must be an object", "data")
        path = raw.get("path")
        if not isinstance(path, str) or not path:
            raise SpecError("data.path must be a non-empty path", "data")
        self.path: str = path
        data_format = raw.get("format")
        if data_format is not None and data_format not in FORMATS:
            raise SpecError(f"format must be one of {', '.join(FORMATS)}, not {data_format!r}", "format")
        self.format: str | None = data_format
        label = raw.get("label")
        if label is not None and (not isinstance(label, str) or not label):
            raise SpecError("label must be a column name or null", "label")
        self.label: str | None = label
        features = raw.get("features")
        if features is not None and (
            not isinstance(features, list) or not features or not all(isinstance(f, str) and f for f in features)
        ):
            raise SpecError("features must be a non-empty list of column names, or null", "features")
        self.features: list[str] | None = features


class Spec:
    def __init__(self, raw: dict):
        if not isinstance(raw, dict):
            raise SpecError("spec.json must hold an object")
        model = raw.get("model")
        if not isinstance(model, dict):
            raise SpecError("model must be an object", "model")
        self.framework: str = _text(model, "framework", "model")
        self.artifact_path: str = _text(model, "artifactPath", "model")
        name = model.get("name")
        self.model_name: str = name if isinstance(name, str) else ""
        self.data = DataSpec(raw.get("data"))
        task = raw.get("task")
        if task is not None and task not in TASKS:
            raise SpecError(f"task must be one of {', '.join(TASKS)}, not {task!r}", "task")
        self.task: str | None = task
        self.threshold: float = _number(raw, "threshold", DEFAULT_THRESHOLD, 0, 1)
        self.max_errors: int = int(_number(raw, "maxErrors", DEFAULT_MAX_ERRORS, 0, 1000, integer=True))
        self.batch_rows: int = int(_number(raw, "batchRows", DEFAULT_BATCH_ROWS, 1, 1_000_000, integer=True))
        # the files are optional for --check, which writes none
        self.status_file: str | None = raw.get("statusFile")
        self.result_file: str | None = raw.get("resultFile")
        self.curves_file: str | None = raw.get("curvesFile")


def read_spec(path: str) -> Spec:
    """The spec in ``path``, or on stdin for "-" (the check at create time needs no file)."""
    try:
        if path == "-":
            raw = json.load(sys.stdin)
        else:
            with open(path, encoding="utf-8") as file:
                raw = json.load(file)
    except (OSError, ValueError) as error:
        raise SpecError(f"cannot read the spec {path}: {error}") from None
    return Spec(raw)


def read_status_file(path: str) -> str | None:
    """Where to report, read before anything else is checked (so even a bad spec is reported)."""
    try:
        with open(path, encoding="utf-8") as file:
            raw = json.load(file)
    except (OSError, ValueError):
        return None
    status_file = raw.get("statusFile") if isinstance(raw, dict) else None
    return status_file if isinstance(status_file, str) and status_file else None


def _text(raw: dict, key: str, field: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value:
        raise SpecError(f"{field}.{key} must be a non-empty string", field)
    return value


def _number(raw: dict, key: str, default, low, high, integer: bool = False):
    value = raw.get(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (integer and value != int(value)):
        raise SpecError(f"{key} must be {'an integer' if integer else 'a number'}, not {value!r}", key)
    if not low <= value <= high:
        raise SpecError(f"{key} must be from {low} to {high}, not {value!r}", key)
    return value
