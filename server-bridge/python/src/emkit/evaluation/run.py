"""``python -m emkit.evaluation spec.json``: one evaluation, from spec.json to result.json.

status.json is written at the start, after batches (rowsDone) and at the end. SIGTERM (or SIGINT)
stops the run where it is (Python code between two bytecodes; a model's C code finishes its
call first) and ends it STOPPED. Any failure ends it FAILED with a one-line reason; the
traceback goes to stderr, which the bridge keeps as the evaluation's log.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
import traceback
from typing import Any, Dict, List, Optional, Tuple

from ..serving.loaders import LoadError, first_line
from . import environment
from .collect import ClassificationCollector, ClusteringCollector, RegressionCollector
from .datasets import DatasetError, data_format, open_dataset
from .plain import plain, write_json
from .predictor import Predictor
from .spec import Spec, SpecError, read_spec, read_status_file
from .status import COMPLETE, FAILED, STOPPED, Status


class Stopped(BaseException):
    """SIGTERM arrived; a BaseException so that a model's ``except Exception`` can't swallow it."""


class ModelFailed(Exception):
    """The model raised on a batch; the message says which rows."""


def main(spec_path: str) -> int:
    status_file = read_status_file(spec_path)
    if status_file is None:
        print(f"[emkit] cannot read statusFile from the spec {spec_path}", file=sys.stderr)
        return 2
    status = Status(status_file)
    stopping = {"armed": True}

    def on_sigterm(signum, frame):
        if stopping["armed"]:
            stopping["armed"] = False
            raise Stopped()

    signal.signal(signal.SIGTERM, on_sigterm)
    status.write()
    written: List[str] = []
    try:
        spec = read_spec(spec_path)
        result, curves = evaluate(spec, status)
        stopping["armed"] = False  # the files below are written whole, or not at all
        if curves is not None and spec.curves_file:
            written.append(spec.curves_file)
            write_json(spec.curves_file, curves)
        if spec.result_file:
            write_json(spec.result_file, result, durable=True)
        status.write(COMPLETE)
        print(f"[emkit] evaluated {result['rows']} rows in {result['seconds']:.2f} s", flush=True)
        return 0
    except BaseException as error:
        stopping["armed"] = False
        _remove(written)  # nothing half-stored: curves.json without its result.json
        state, reason, code = _outcome(error, status.rows_done)
        status.write(state, reason)
        return code


def _outcome(error: BaseException, rows_done: int):
    """(state, reason, exit status) for how the run ended; said on stderr, the log."""
    if isinstance(error, (Stopped, KeyboardInterrupt)):
        print("[emkit] stopped", file=sys.stderr, flush=True)
        return STOPPED, f"stopped after {rows_done} rows", 0
    if isinstance(error, (SpecError, DatasetError, LoadError)):  # the message says it all
        print(f"[emkit] {error}", file=sys.stderr, flush=True)
        return FAILED, first_line(error), 1
    traceback.print_exc(file=sys.stderr)
    if isinstance(error, ModelFailed):
        return FAILED, first_line(error), 1
    return FAILED, first_line(ValueError(f"{type(error).__name__}: {first_line(error)}")), 1


def _remove(paths: List[str]) -> None:
    for path in paths:
        with contextlib.suppress(OSError):
            os.unlink(path)


def evaluate(spec: Spec, status: Status) -> Tuple[Dict[str, Any], Optional[dict]]:
    """(result.json's document, curves.json's or None)."""
    absent = environment.missing(data_format(spec.data))
    if absent:
        raise SpecError(environment.missing_message(absent), "environment")
    predictor = Predictor(spec.framework, spec.artifact_path)
    started = time.perf_counter()  # result.json's seconds: reading, predicting, computing
    dataset = open_dataset(spec.data)
    if dataset.format in ("csv", "parquet") and spec.data.features is None and predictor.feature_names:
        # a model fitted on a DataFrame takes its columns by name: read those, in its order
        missing = [name for name in predictor.feature_names if name not in (dataset.preview.columns or [])]
        if missing:
            raise DatasetError(
                f"the model was fitted on columns that {dataset.path} lacks: {', '.join(missing[:20])}", "features"
            )
        dataset.use_features(predictor.feature_names)
    task = _task_before_reading(spec, predictor, dataset)
    status.task = task
    collector = None
    rows = 0
    for batch in dataset.batches(spec.batch_rows):
        if len(batch) == 0:  # a header-only CSV's one chunk
            continue
        try:
            prediction = predictor(batch.instances)
        except Exception as error:
            last = batch.start + len(batch) - 1
            raise ModelFailed(
                f"the model failed on rows {batch.start}-{last}: {type(error).__name__}: {first_line(error)}"
            ) from error
        if len(prediction.labels) != len(batch):
            raise ModelFailed(f"the model gave {len(prediction.labels)} predictions for {len(batch)} rows")
        if collector is None:
            if task is None:
                task = _task_from_answer(predictor, batch, prediction)
                status.task = task
            collector = _collector(task, predictor, spec)
        collector.add(batch, prediction)
        rows += len(batch)
        status.progress(rows)
    if collector is None:
        raise DatasetError(f"{dataset.path} has no rows to evaluate")
    status.sha256 = dataset.sha256

    figures, errors, curves = collector.result(rows)
    result = {
        "task": task,
        "rows": rows,
        "seconds": 0.0,
        "classification": figures if task == "classification" else None,
        "regression": figures if task == "regression" else None,
        "clustering": figures if task == "clustering" else None,
        "errors": errors,
    }
    result = plain(result)
    result["seconds"] = round(time.perf_counter() - started, 3)
    return result, curves


def _task_before_reading(spec: Spec, predictor: Predictor, dataset):
    """The task where the spec, the data or the model say it; None to decide on the first answer."""
    clusterer = predictor.kind == "clusterer"
    if not dataset.has_labels:
        if spec.task in (None, "clustering") and (clusterer or dataset.format == "jsonl" or spec.task):
            return "clustering"
        if spec.task is not None:
            raise DatasetError(f"a {spec.task} evaluation needs labels, and {dataset.path} has none", "label")
        columns = ", ".join((dataset.preview.columns or [])[:50])
        raise DatasetError(
            f'no label column "label" in {dataset.path}: its columns are {columns} '
            "(give label, or task clustering for a clustering model)",
            "label",
        )
    if spec.task is not None:
        return spec.task
    if clusterer:
        return "clustering"
    if predictor.kind == "classifier" or predictor.classes is not None:
        return "classification"
    if predictor.kind == "regressor":
        return "regression"
    return None


def _task_from_answer(predictor: Predictor, batch, prediction) -> str:
    """Scores or classes make it a classification; float labels and float predictions a regression."""
    import numpy

    if prediction.scores is not None or predictor.classes is not None:
        return "classification"
    labels, predicted = numpy.asarray(batch.labels), numpy.asarray(prediction.labels)
    if labels.dtype.kind == "f" and predicted.dtype.kind in "fiu":
        return "regression"
    whole = predicted.dtype.kind != "f" or numpy.array_equal(predicted, predicted.round())
    if labels.dtype.kind in "iu" and not whole:
        return "regression"
    return "classification"


def _collector(task: str, predictor: Predictor, spec: Spec):
    if task == "classification":
        return ClassificationCollector(predictor, spec.max_errors)
    if task == "regression":
        return RegressionCollector(spec.max_errors)
    return ClusteringCollector()
