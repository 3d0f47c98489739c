"""``%emkit status``, ``list``, ``env``, ``tensorboard`` and ``compare``."""

from __future__ import annotations

import urllib.parse
from typing import Any, Dict, List

from ..client import ApiError
from ..states import BUSY_ENVIRONMENT_STATES
from .clusters import CLUSTER_COLUMNS
from .datasets import DATASET_COLUMNS
from .display import Record, Table, elapsed, progress_html, progress_text, show_page
from .parsing import MagicError
from .serving import ENDPOINT_COLUMNS, MODEL_COLUMNS
from .waiting import watch

ENVIRONMENT_COLUMNS = [
    ("name", "name"),
    ("state", "state"),
    ("manager", "manager"),
    ("python", "python"),
    ("packages", "packages"),
    ("kernel", "kernelName"),
]
LISTS = {
    "environments": ENVIRONMENT_COLUMNS,
    "experiments": [("name", "name"), ("description", "description"), ("created", "createdAt")],
    "trainings": [
        ("name", "name"),
        ("state", "state"),
        ("experiment", "experimentName"),
        ("hyperparameters", "hyperparameters"),
        ("created", "createdAt"),
    ],
    "models": MODEL_COLUMNS,
    "evaluations": [
        ("id", "id"),
        ("model", lambda e: f"{e['model']['name']}:{e['model']['version']}"),
        ("state", "state"),
        ("rows", "rowsDone"),
        ("figures", "metrics"),
        ("data", "data.path"),
        ("created", "createdAt"),
    ],
    "endpoints": ENDPOINT_COLUMNS,
    "tensorboards": [
        ("id", "id"),
        ("state", "state"),
        ("trainings", lambda t: [r["name"] for r in t["trainings"]]),
        ("last visit", "lastAccessAt"),
    ],
    "clusters": CLUSTER_COLUMNS,
    "datasets": DATASET_COLUMNS,
}


def status(ctx, args, cell):
    client = ctx.client
    answer = client.status()
    fields = [
        ("bridge", lambda _: client.url),
        ("version", "version"),
        ("pid", "pid"),
        ("up", lambda s: elapsed(s.get("uptimeSeconds", 0))),
        ("resources", "counts"),
        ("quick tests", lambda s: [f"{w['model']} (pid {w['pid']})" for w in s.get("quickTests") or []]),
    ]
    return Record(answer, fields, "emkit bridge")


def listing(ctx, args, cell):
    group = getattr(ctx.client, args.resource)
    rows = group.list(experiment=args.experiment) if args.resource == "trainings" else group.list()
    return Table(rows, LISTS[args.resource], args.resource)


def env(ctx, args, cell):
    client = ctx.client
    if args.action == "list":
        return Table(client.environments.list(), ENVIRONMENT_COLUMNS, "environments")
    if args.action == "delete":
        client.environments.delete(args.name)
        print(f"environment {args.name} is being deleted, with its kernel")
        return None
    requirements = None
    if args.requirements:
        try:
            with open(args.requirements, encoding="utf-8") as file:
                requirements = file.read()
        except OSError as error:
            raise MagicError(f"cannot read {args.requirements}: {error.strerror}") from None
    created = client.environments.create(
        args.name, manager=args.manager, python=args.python, packages=args.package, requirements=requirements
    )
    if args.wait:

        def render(e, seconds):
            details = [("waited", elapsed(seconds))]
            title = f"environment {e['name']}"
            return progress_html(title, e["state"], details, reason=e.get("stateReason")), progress_text(
                title, e["state"], details, e.get("stateReason")
            )

        created = watch(
            lambda: client.environments.get(created["id"]),
            lambda e: e["state"] not in BUSY_ENVIRONMENT_STATES,
            render,
            f"environment {args.name}",
        )
        if created["state"] != "ACTIVE":
            reason = (created.get("stateReason") or "").strip().splitlines()
            raise MagicError(
                f"environment {args.name} is {created['state']}"
                + (f": {reason[0]}" if reason else "")
                + f" (`%emkit env delete {args.name}`, then try again)"
            )
    return Record(created, [*ENVIRONMENT_COLUMNS, ("path", "path")], f"environment {created['name']}")


def tensorboard(ctx, args, cell):
    client = ctx.client
    board = client.tensorboards.create(**_training_or_experiment(client, args.key))
    board = client.tensorboards.wait(board["id"])
    if board["state"] != "RUNNING":
        raise MagicError(
            f"TensorBoard for {args.key} is {board['state']}: {board.get('stateReason') or 'no reason given'}"
        )
    plain = f"{client.url}/tensorboard/{urllib.parse.quote(board['id'], safe='')}/"
    show_page(client.tensorboards.url(board["id"]), plain, args.height, "TensorBoard")


def _training_or_experiment(client, key: str) -> Dict[str, str]:
    for kind, group in (("training", client.trainings), ("experiment", client.experiments)):
        try:
            return {kind: group.get(key)["id"]}
        except ApiError as error:
            if error.status != 404:
                raise
    raise MagicError(f"there is no training or experiment {key!r}")


def compare(ctx, args, cell):
    comparison = ctx.client.experiments.compare(args.experiment)
    rows = comparison_rows(comparison)
    try:
        import pandas
    except ImportError:
        columns = [(key, key) for key in (rows[0] if rows else {"training": None})]
        return Table(rows, columns, f"experiment {comparison['experimentName']}")
    return pandas.DataFrame(rows).set_index("training") if rows else pandas.DataFrame(rows)


def comparison_rows(comparison: Dict[str, Any]) -> List[Dict[str, Any]]:
    """One row per training: its state, peak memory and mean CPU, each hyperparameter, and each metric's last
    and best value."""
    rows = []
    for training in comparison["trainings"]:
        row: Dict[str, Any] = {
            "training": training["name"],
            "state": training["state"],
            "peak memory (MB)": training.get("peakMemoryMb"),
            "mean CPU %": training.get("meanCpuPercent"),
        }
        for key in comparison["hyperparameters"]:
            row[key] = training["hyperparameters"].get(key)
        for tag in comparison["metrics"]:
            summary = training["metrics"].get(tag) or {}
            row[tag] = summary.get("last")
            row[f"{tag} (best)"] = summary.get("best")
        rows.append(row)
    return rows
