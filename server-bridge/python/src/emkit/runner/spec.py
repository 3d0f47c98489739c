"""spec.json: what the bridge asks the supervisor to run, read and checked once.

The bridge's ``TrainingSpec`` (server-bridge/src/trainings/contract.ts) is the other half
of this contract.
"""

from __future__ import annotations

import json
import os

KINDS = ("notebook", "script")
MAX_INSTANCES = 16


class SpecError(ValueError):
    """spec.json is unreadable or invalid. ``status_file`` is where to report it, if known."""

    def __init__(self, message: str, status_file: str | None = None):
        super().__init__(message)
        self.status_file = status_file


class Spec:
    """The checked contents of spec.json, plus the paths derived from them."""

    def __init__(self, raw: dict):
        self.training_id: str = _text(raw, "trainingId")
        self.training_name: str = _text(raw, "trainingName", empty=True)
        self.python: str = _text(raw, "python")
        self.source_dir: str = _path(raw, "sourceDir")
        self.entry_point: str = _text(raw, "entryPoint")
        kind = raw.get("kind")
        if kind not in KINDS:
            raise SpecError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
        self.kind: str = kind
        self.hyperparameters: dict[str, str] = _strings(raw, "hyperparameters")
        count = raw.get("instanceCount")
        if type(count) is not int or not 1 <= count <= MAX_INSTANCES:
            raise SpecError(f"instanceCount must be an integer from 1 to {MAX_INSTANCES}, not {count!r}")
        self.instance_count: int = count
        limit = raw.get("maxDurationSeconds")
        if limit is not None and (type(limit) not in (int, float) or not limit > 0):
            raise SpecError(f"maxDurationSeconds must be a positive number or null, not {limit!r}")
        self.max_duration: float | None = limit
        self.env: dict[str, str] = _strings(raw, "env")
        self.log_dir: str = _path(raw, "logDir")
        self.status_file: str = _path(raw, "statusFile")
        self.artifacts_dir: str = _path(raw, "artifactsDir")
        installer = raw.get("installer")
        if installer is not None and (
            not isinstance(installer, list) or not installer or not all(isinstance(a, str) and a for a in installer)
        ):
            raise SpecError("installer must be a non-empty array of strings, or null")
        self.installer: list[str] | None = installer

        parts = self.entry_point.split("/")
        if self.entry_point.startswith("/") or ".." in parts:
            raise SpecError(f"entryPoint must be a path inside sourceDir, not {self.entry_point!r}")
        self.entry_path = os.path.join(self.source_dir, *parts)
        self.entry_dir = os.path.dirname(self.entry_path)
        self.requirements_path = os.path.join(self.entry_dir, "requirements.txt")

    def rank_log(self, rank: int) -> str:
        return os.path.join(self.log_dir, f"rank-{rank}.log")

    def error_file(self, rank: int) -> str:
        """Where a notebook rank explains its failure (see ``emkit.runner.notebook``)."""
        return os.path.join(self.log_dir, f"rank-{rank}.error.json")


def load(path: str) -> Spec:
    try:
        with open(path, encoding="utf-8") as file:
            raw = json.load(file)
    except (OSError, ValueError) as error:
        raise SpecError(f"cannot read the spec {path}: {error}") from None
    if not isinstance(raw, dict):
        raise SpecError(f"the spec {path} is not a JSON object")
    status_file = raw.get("statusFile")
    status_file = status_file if isinstance(status_file, str) and os.path.isabs(status_file) else None
    if raw.get("version") != 1:
        raise SpecError(f"unsupported spec version {raw.get('version')!r} (this emkit reads version 1)", status_file)
    try:
        return Spec(raw)
    except SpecError as error:
        raise SpecError(f"invalid spec {path}: {error}", status_file) from None


def _text(raw: dict, key: str, empty: bool = False) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not (value or empty):
        raise SpecError(f"{key} must be a{'' if empty else ' non-empty'} string")
    return value


def _path(raw: dict, key: str) -> str:
    value = _text(raw, key)
    if not os.path.isabs(value):
        raise SpecError(f"{key} must be an absolute path, not {value!r}")
    return value


def _strings(raw: dict, key: str) -> dict[str, str]:
    value = raw.get(key)
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise SpecError(f"{key} must be an object of strings")
    return value
