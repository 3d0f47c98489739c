"""``%emkit train``, ``%%emkit train``, ``logs``, ``stop`` and ``copy``."""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
import time
from collections import deque
from pathlib import Path
from typing import Any, Dict, Optional

from ..quality import format_early_stop, quality_notes
from ..states import SETTLED_TRAINING_STATES
from .display import Record, elapsed, progress_html, progress_text
from .notebook import current_notebook, inside_training
from .parsing import MagicError, as_dict
from .waiting import watch

TRAINING_FIELDS = [
    ("name", "name"),
    ("state", "state"),
    ("reason", "stateReason"),
    ("experiment", "experimentName"),
    ("environment", lambda t: t.get("environment") or "(the bridge's Python)"),
    ("entry point", "source.entryPoint"),
    ("hyperparameters", "hyperparameters"),
    ("instances", "instanceCount"),
    ("early stopping", lambda t: format_early_stop(t.get("earlyStopping"))),
    ("quality", lambda t: " ".join(quality_notes(t.get("quality")))),
    ("started", "startedAt"),
    ("ended", "endedAt"),
    ("id", "id"),
    ("folder", "dir"),
]
LOG_TAIL_LINES = 8
METRICS_EVERY = 2.0  # seconds between metric reads while waiting: the series can be long


def training_record(training: Dict[str, Any]) -> Record:
    return Record(training, TRAINING_FIELDS, f"training {training['name']}")


def kernel_environment(client) -> Optional[str]:
    """The emkit environment this kernel runs in, if it is one: trainings go there by default,
    as a user who picked the environment's kernel would expect."""
    here = os.path.realpath(sys.prefix)
    for environment in client.environments.list():
        if environment.get("state") == "ACTIVE" and os.path.realpath(environment.get("path") or "") == here:
            return environment["name"]
    return None


def _script_name(shell) -> str:
    """The cell's script is named after the notebook (the default training name comes from it)."""
    try:
        return current_notebook(shell.user_ns).stem + "-cell.py"
    except MagicError:
        return "cell.py"


def train(ctx, args, cell: Optional[str]):
    if cell is not None and args.path:
        raise MagicError("%%emkit train runs the cell's code: give no PATH (or use the line magic %emkit train PATH)")
    if (cell is not None or not args.path) and inside_training():
        # this notebook is itself running as a training: submitting it again would recurse
        print("emkit: %emkit train is skipped inside a training")
        return None
    # which notebook, before any call: that error is the user's to fix whatever the bridge
    source = None if cell is not None else args.path or str(current_notebook(ctx.shell.user_ns))
    client = ctx.client
    # on a cluster the nodes' Python runs it: the kernel's environment is this machine's
    environment = args.env if args.env is not None or args.cluster else kernel_environment(client)
    options = {
        "name": args.name,
        "hyperparameters": as_dict(args.hp),
        "datasets": as_dict(args.dataset),
        "environment": environment,
        "experiment": args.experiment,
        "instance_count": args.instances,
        "max_duration_seconds": args.max_time,
        "tags": as_dict(args.tag),
        "description": args.description,
        "early_stopping": args.early_stop,
        "cluster": args.cluster,
        "placement_strategy": "STRICT_SPREAD" if args.strict_spread else None,
        "max_retries": args.max_retries,
    }
    if cell is not None:
        # the bridge snapshots the source when it accepts the training: the folder can go then
        folder = tempfile.mkdtemp(prefix="emkit-cell-")
        try:
            script = Path(folder) / _script_name(ctx.shell)
            script.write_text(cell, encoding="utf-8")
            training = client.trainings.create(str(script), **options)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    else:
        training = client.trainings.create(source, entry_point=args.entry, **options)
    if args.wait:
        return wait_for_training(client, training)
    print(f"training {training['name']} submitted: `%emkit logs {training['name']} --follow` shows its log")
    return training_record(training)


def wait_for_training(client, training: Dict[str, Any]) -> Record:
    """Show the training's state, latest metrics and last log lines, in place, until it ends."""
    key, name = training["id"], training["name"]
    watched = {"offset": 0, "metrics": {}, "read": 0.0}
    tail: deque = deque(maxlen=LOG_TAIL_LINES)

    def fetch() -> Dict[str, Any]:
        current = client.trainings.get(key)
        while True:  # everything new, a chunk at a time
            text, watched["offset"] = client.trainings.log_since(key, watched["offset"])
            if not text:
                break
            tail.extend(text.splitlines())
        settled = current["state"] in SETTLED_TRAINING_STATES
        if settled or time.monotonic() - watched["read"] > METRICS_EVERY:
            watched["read"] = time.monotonic()
            series = client.trainings.metrics(key)
            watched["metrics"] = {tag: points[-1]["value"] for tag, points in series.items() if points}
        return current

    def render(current: Dict[str, Any], seconds: float):
        # a NaN loss or overfitting is said while it runs, not only at the end
        flags = [
            ("warning" if "early stopped" not in note.lower() else "note", note)
            for note in quality_notes(current.get("quality"))
        ]
        details = [("waited", elapsed(seconds)), *watched["metrics"].items(), *flags]
        title = f"training {name}"
        reason = current.get("stateReason") if current["state"] != "COMPLETE" else None
        return (
            progress_html(title, current["state"], details, list(tail), reason),
            progress_text(title, current["state"], details, reason),
        )

    done = watch(fetch, lambda t: t["state"] in SETTLED_TRAINING_STATES, render, f"training {name}", every=0.5)
    if done["state"] != "COMPLETE":
        raise MagicError(f"training {name} ended {done['state']}" + _reason(done))
    return training_record(done)


def _reason(record: Dict[str, Any]) -> str:
    reason = (record.get("stateReason") or "").strip()
    return f": {reason.splitlines()[0]}" if reason else ""


def logs(ctx, args, cell):
    client = ctx.client
    if not args.follow:
        print(client.trainings.log(args.training, rank=args.rank), end="")
        return
    try:
        for text in client.trainings.follow(args.training, rank=args.rank):
            print(text, end="", flush=True)
    except KeyboardInterrupt:
        print("\n(stopped following; the training goes on)")


def stop(ctx, args, cell):
    client = ctx.client
    stopping = client.trainings.stop(args.training)
    if args.wait:
        stopping = watch(
            lambda: client.trainings.get(stopping["id"]),
            lambda t: t["state"] in SETTLED_TRAINING_STATES,
            lambda t, s: _state_line(t, s),
            f"training {stopping['name']}",
        )
    return training_record(stopping)


def _state_line(training: Dict[str, Any], seconds: float):
    title, details = f"training {training['name']}", [("waited", elapsed(seconds))]
    return progress_html(title, training["state"], details), progress_text(title, training["state"], details)


def copy(ctx, args, cell):
    client = ctx.client
    copied = client.trainings.copy(
        args.training,
        name=args.name,
        experiment=args.experiment,
        environment=args.env,
        hyperparameters=as_dict(args.hp) if args.hp else None,
        instance_count=args.instances,
        max_duration_seconds=args.max_time,
        cluster=args.cluster,
        max_retries=args.max_retries,
        **({"early_stopping": None} if args.no_early_stop else {}),
        **({"early_stopping": args.early_stop} if args.early_stop else {}),
    )
    if args.wait:
        return wait_for_training(client, copied)
    print(f"training {copied['name']} submitted (a copy of {args.training})")
    return training_record(copied)


_STAMP = re.compile(r"-\d{8}-\d{6}$")


def default_model_name(training: Dict[str, Any]) -> str:
    """The training's experiment, unless that is the catch-all one: then the training's name
    without the time the bridge added to it."""
    experiment = training.get("experimentName") or "default"
    return experiment if experiment != "default" else _STAMP.sub("", training["name"])
