"""spec.json: what the bridge asks of a batch scoring job, read and checked once.

The bridge writes it (server-bridge/src/batch-inferences/contract.ts); an invalid one is the
bridge's bug, reported as FAILED with the field at fault.
"""

from __future__ import annotations

import json
from typing import Any, List, Optional

from ..evaluation.spec import SpecError, read_status_file

INPUT_FORMATS = ("csv", "parquet", "jsonl", "files")
OUTPUT_FORMATS = ("jsonl", "csv", "parquet")

__all__ = ["Spec", "SpecError", "read_spec", "read_status_file"]


class Spec:
    def __init__(self, raw: Any):
        if not isinstance(raw, dict):
            raise SpecError("spec.json must hold an object")
        model = _object(raw, "model")
        self.framework: str = _text(model, "framework", "model")
        self.artifact_path: str = _text(model, "artifactPath", "model")
        data = _object(raw, "input")
        self.input_path: str = _text(data, "path", "input")
        self.input_format: str = _choice(data, "format", INPUT_FORMATS, "input")
        features = raw.get("features")
        if features is not None and (
            not isinstance(features, list) or not features or not all(isinstance(f, str) and f for f in features)
        ):
            raise SpecError("features must be a non-empty list of column names, or null", "features")
        self.features: Optional[List[str]] = features
        output = _object(raw, "output")
        self.output_format: str = _choice(output, "format", OUTPUT_FORMATS, "format")
        self.output_file: str = _text(output, "file", "output")
        self.partial_file: str = _text(output, "partialFile", "output")
        self.errors_file: str = _text(output, "errorsFile", "output")
        self.instances: int = _integer(raw, "instances", 1, 64)
        self.batch_size: int = _integer(raw, "batchSize", 1, 1_000_000)
        ratio = raw.get("maxErrorRatio")
        if isinstance(ratio, bool) or not isinstance(ratio, (int, float)) or not 0 <= ratio <= 1:
            raise SpecError(f"maxErrorRatio must be a number from 0 to 1, not {ratio!r}", "maxErrorRatio")
        self.max_error_ratio: float = float(ratio)
        self.return_scores: bool = raw.get("returnScores") is not False
        cluster = raw.get("cluster")
        if cluster is not None:
            cluster = _object(raw, "cluster")
            _text(cluster, "address", "cluster")
            _text(cluster, "name", "cluster")
        # the Ray cluster the workers run on: {"name", "address": "ray://HEAD:PORT", "tokenFile",
        # "usageIntervalSeconds" (how often each worker samples itself; absent or 0: never)}; None: here
        self.cluster: Optional[dict] = cluster
        self.status_file: str = _text(raw, "statusFile", "statusFile")
        self.manifest_file: str = _text(raw, "manifestFile", "manifestFile")


def read_spec(path: str) -> Spec:
    try:
        with open(path, encoding="utf-8") as file:
            raw = json.load(file)
    except (OSError, ValueError) as error:
        raise SpecError(f"cannot read the spec {path}: {error}") from None
    return Spec(raw)


def _object(raw: dict, key: str) -> dict:
    value = raw.get(key)
    if not isinstance(value, dict):
        raise SpecError(f"{key} must be an object", key)
    return value


def _text(raw: dict, key: str, field: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value:
        raise SpecError(f"{field}.{key} must be a non-empty string", field)
    return value


def _choice(raw: dict, key: str, choices, field: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or value not in choices:
        raise SpecError(f"{field}.{key} must be one of {', '.join(choices)}, not {value!r}", field)
    return value


def _integer(raw: dict, key: str, low: int, high: int) -> int:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise SpecError(f"{key} must be an integer from {low} to {high}, not {value!r}", key)
    return value
