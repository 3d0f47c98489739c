"""``python -m emkit.evaluation --check spec.json`` (``--check -``: the spec on stdin): the
bridge's look at the dataset at create time, so that a bad one is a 422 at once rather than
a FAILED evaluation later.

It reads a header, a first line or a folder listing only, and prints one JSON line:
``{"ok": true, "format", "columns", "classes", "label", "features", "task"}`` (``task`` null
when the runner decides it from the model's first answer), or
``{"ok": false, "message", "field"}`` with ``field`` the EvaluationCreate field to fix
(``data``, ``format``, ``label``, ``features``, ``task``, ``model``). Exit status 0 either way;
2 when the spec itself can't be read.
"""

from __future__ import annotations

import json
import sys

from . import environment
from .datasets import DatasetError, peek
from .predictor import estimator_kind
from .spec import SpecError, read_spec


def check(spec) -> dict:
    preview = peek(spec.data)
    absent = environment.missing(preview.format)
    if absent:
        raise DatasetError(environment.missing_message(absent), "environment")
    task = spec.task
    if not preview.has_labels:
        if preview.format == "jsonl" and task in (None, "clustering"):
            task = "clustering"
        elif task in ("classification", "regression"):
            raise DatasetError(f"a {task} evaluation needs labels, and {spec.data.path} has none", "label")
        elif task is None and not _is_clusterer(spec):
            columns = ", ".join((preview.columns or [])[:50])
            raise DatasetError(
                f'no label column "label" in {spec.data.path}: its columns are {columns} '
                "(give label, or task clustering for a clustering model)",
                "label",
            )
        else:
            task = "clustering"
    return {
        "ok": True,
        "format": preview.format,
        "columns": preview.columns,
        "classes": preview.classes,
        "label": preview.label,
        "features": preview.features,
        "task": task,
    }


def _is_clusterer(spec) -> bool:
    """Only asked when a table has no label column: a scikit-learn clusterer needs none."""
    if spec.framework != "scikit-learn":
        return False
    from ..serving.loaders import LoadError, load

    try:
        model = load(spec.framework, spec.artifact_path)
    except LoadError:
        return False
    return estimator_kind(getattr(model, "estimator", None)) == "clusterer"


def main(spec_path: str) -> int:
    try:
        spec = read_spec(spec_path)
    except SpecError as error:
        if error.field is None:
            print(json.dumps({"ok": False, "message": str(error), "field": None}))
            return 2
        print(json.dumps({"ok": False, "message": str(error), "field": error.field}))
        return 0
    try:
        answer = check(spec)
    except DatasetError as error:
        answer = {"ok": False, "message": str(error), "field": error.field}
    except OSError as error:
        answer = {"ok": False, "message": f"cannot read {spec.data.path}: {error.strerror}", "field": "data"}
    print(json.dumps(answer, ensure_ascii=False))
    sys.stdout.flush()
    return 0
