"""The holdout evaluation, in the training: the held-out data written to
``$EM_ARTIFACT_DIR/holdout/`` (holdout.csv, or a class-folder tree of copied files), then the
evaluation runner (emkit.evaluation) run in this process on the model folder, its files in
``$EM_ARTIFACT_DIR/evaluation/`` (spec.json, status.json, result.json, curves.json, log.txt), and
its figures said in the log and logged as the curves' last points.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sys
from typing import Any, Dict

from .context import Context, RecipeError
from .trained import FilesHoldout, TableHoldout, TrainedModel

PER_CLASS_SHOWN = 20


def write_holdout(context: Context, trained: TrainedModel) -> Dict[str, Any]:
    """The evaluation spec's ``data`` for the written holdout."""
    folder = os.path.join(context.artifact_dir, "holdout")
    if os.path.isdir(folder):
        shutil.rmtree(folder)
    os.makedirs(folder)
    holdout = trained.holdout
    if isinstance(holdout, TableHoldout):
        path = os.path.join(folder, "holdout.csv")
        columns = holdout.features + ([holdout.label] if holdout.label is not None else [])
        holdout.frame[columns].to_csv(path, index=False)
        return {"path": path, "format": "csv", "label": holdout.label, "features": holdout.features}
    if isinstance(holdout, FilesHoldout):
        for source, label in holdout.items:
            target_dir = os.path.join(folder, str(label))
            os.makedirs(target_dir, exist_ok=True)
            shutil.copyfile(source, _free_name(target_dir, os.path.basename(source)))
        return {"path": folder, "format": "folder"}
    raise TypeError(f"unknown holdout {type(holdout).__name__}")


def _free_name(folder: str, name: str) -> str:
    """``name`` in ``folder``, or ``stem-2.ext``… where files of two subfolders share a name."""
    stem, suffix = os.path.splitext(name)
    candidate, number = os.path.join(folder, name), 1
    while os.path.exists(candidate):
        number += 1
        candidate = os.path.join(folder, f"{stem}-{number}{suffix}")
    return candidate


def evaluate(context: Context, trained: TrainedModel) -> Dict[str, Any]:
    """Runs the evaluation; its result.json's document. A failed evaluation is a RecipeError."""
    from ..evaluation import run

    data = write_holdout(context, trained)
    folder = os.path.join(context.artifact_dir, "evaluation")
    os.makedirs(folder, exist_ok=True)
    files = {name: os.path.join(folder, f"{name}.json") for name in ("spec", "status", "result", "curves")}
    log_file = os.path.join(folder, "log.txt")
    spec = {
        "model": {"framework": "custom", "artifactPath": context.model_dir, "name": context.model_type},
        "data": data,
        "task": context.task,
        "statusFile": files["status"],
        "resultFile": files["result"],
        "curvesFile": files["curves"],
        "logFile": log_file,
    }
    with open(files["spec"], "w", encoding="utf-8") as file:
        json.dump(spec, file, ensure_ascii=False, indent=2)
    context.log(f"evaluating the model on the holdout ({data['path']})")
    previous = signal.getsignal(signal.SIGTERM)  # run.main sets its own, for its stop
    try:
        with open(log_file, "w", encoding="utf-8") as log, _tee(log):
            run.main(files["spec"])
    finally:
        signal.signal(signal.SIGTERM, previous)
    status = _read(files["status"])
    if status.get("state") == "STOPPED":  # a stop that came during the evaluation: the training's
        os.kill(os.getpid(), signal.SIGTERM)
    if status.get("state") != "COMPLETE":
        raise RecipeError(f"the holdout evaluation failed: {status.get('reason') or 'see ' + log_file}")
    result = _read(files["result"])
    report(context, trained, result)
    return result


def report(context: Context, trained: TrainedModel, result: Dict[str, Any]) -> None:
    """The figures, in the log and as the curves' last points."""
    step = trained.last_step
    if result.get("classification"):
        figures = result["classification"]
        context.metric("val_accuracy", figures["accuracy"], step)
        context.log(f"holdout accuracy {figures['accuracy']:.4f} on {result['rows']} examples")
        for row in figures["perClass"][:PER_CLASS_SHOWN]:
            context.log(
                f"  {row['class']}: precision {_figure(row['precision'])}, recall {_figure(row['recall'])}, "
                f"{row['support']} examples"
            )
    elif result.get("regression"):
        figures = result["regression"]
        if figures.get("r2") is not None:
            context.metric("val_r2", figures["r2"], step)
        context.metric("val_rmse", figures["rmse"], step)
        context.log(f"holdout R² {_figure(figures.get('r2'))}, RMSE {figures['rmse']:.4g} on {result['rows']} rows")
    elif result.get("clustering"):
        figures = result["clustering"]
        if figures.get("silhouette") is not None:
            context.metric("val_silhouette", figures["silhouette"], step)
        sizes = ", ".join(f"{c['cluster']}: {c['size']}" for c in figures["clusters"])
        context.log(f"holdout silhouette {_figure(figures.get('silhouette'))}; cluster sizes {sizes}")


def _figure(value) -> str:
    return "n/a" if value is None else f"{value:.4f}"


def _read(path: str) -> Dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as file:
            return json.load(file)
    except (OSError, ValueError):
        return {}


class _Tee:
    def __init__(self, *streams):
        self.streams = streams

    def write(self, text: str) -> int:
        for stream in self.streams:
            stream.write(text)
        return len(text)

    def flush(self) -> None:
        for stream in self.streams:
            stream.flush()


@contextlib.contextmanager
def _tee(log):
    """The evaluation's output both in the training's log and in its own log file."""
    with contextlib.redirect_stdout(_Tee(sys.stdout, log)), contextlib.redirect_stderr(_Tee(sys.stderr, log)):
        yield
