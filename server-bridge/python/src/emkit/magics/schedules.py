"""``%emkit schedule create|preview|list|get|pause|resume|run|runs|delete``: the CLI's
``emkit schedule`` from a cell — retrain, evaluate, promote and re-score on a clock."""

from __future__ import annotations

import argparse
import os
from typing import Any, Dict, List

from .display import Record, Table
from .parsing import MagicError, PairsAction, as_dict

SCHEDULE_COLUMNS = [
    ("name", "name"),
    ("state", "state"),
    ("when", lambda s: s.get("cron") or f"every {s.get('every')}"),
    ("zone", lambda s: s.get("timezone") or ""),
    ("steps", lambda s: " → ".join(step["kind"] for step in s["steps"])),
    ("next", lambda s: (s.get("nextRuns") or [""])[0]),
    ("last run", lambda s: f"{s['lastRun']['number']} {s['lastRun']['state']}" if s.get("lastRun") else ""),
]
SCHEDULE_FIELDS = [
    ("state", "state"),
    ("reason", "reason"),
    ("cron", "cron"),
    ("time zone", "timezone"),
    ("every", "every"),
    ("steps", lambda s: " → ".join(step["kind"] for step in s["steps"])),
    ("overlap", "overlap"),
    ("catch up", "catchUp"),
    ("next runs", "nextRuns"),
    ("last run", lambda s: _run_line(s["lastRun"]) if s.get("lastRun") else ""),
]
RUN_COLUMNS = [
    ("run", "number"),
    ("trigger", "trigger"),
    ("state", "state"),
    ("due", "dueAt"),
    ("started", lambda r: r.get("startedAt") or ""),
    ("finished", lambda r: r.get("finishedAt") or ""),
    ("steps", lambda r: " ".join(f"{s['kind']}:{s['state']}" for s in r["steps"])),
    ("outcome", lambda r: r.get("reason") or next((s["outcome"] for s in reversed(r["steps"]) if s["outcome"]), "")),
]


def _run_line(run: Dict[str, Any]) -> str:
    return f"{run['number']} {run['state']}" + (f": {run['reason']}" if run.get("reason") else "")


def add_parser(commands) -> None:
    """``schedule`` and its actions, on the root parser's subcommands."""
    from .parsing import _Parser, _wait_flag

    schedule = commands.add_parser(
        "schedule", help="schedules: retrain, evaluate, promote and re-score on a cron expression or an interval"
    )
    actions = schedule.add_subparsers(dest="action", metavar="ACTION", parser_class=_Parser)
    actions.required = True
    create = actions.add_parser("create", help="create a schedule: when, and what each run does")
    create.add_argument("name")
    _timing(create)
    retrain = create.add_mutually_exclusive_group()
    retrain.add_argument("--training", metavar="ID", help="retrain: a copy of this training each run")
    retrain.add_argument(
        "--notebook", metavar="PATH", help="retrain: submit this notebook, script or folder as saved at each run"
    )
    retrain.add_argument("--recipe", metavar="NAME", help="retrain: train this recipe each run")
    create.add_argument(
        "--source", choices=["snapshot", "latest"], help="the training's code: its snapshot, or as saved now"
    )
    create.add_argument("--hp", action=PairsAction, kind="hyperparameter", metavar="KEY=VALUE")
    create.add_argument("--dataset", action=PairsAction, kind="dataset", metavar="NAME=NAME_OR_PATH")
    create.add_argument("--model", metavar="NAME", help="register each COMPLETE training as a version of it")
    create.add_argument("--evaluate", metavar="DATA", help="then evaluate the new version on this data")
    create.add_argument("--label", metavar="COLUMN")
    create.add_argument("--promote", metavar="ALIAS", help="then move the alias when --metric passes --threshold")
    create.add_argument("--metric", metavar="NAME", help="accuracy, macro.f1, r2, rmse, …")
    create.add_argument("--threshold", type=float)
    create.add_argument("--comparison", choices=[">=", ">", "<=", "<"])
    create.add_argument("--batch", metavar="INPUT", help="then (or only) score this table or folder")
    create.add_argument("--batch-output", metavar="DIR")
    create.add_argument("--batch-model", metavar="REF", help="default: the promoted alias, else the new version")
    create.add_argument("--overwrite", action="store_true", help="replace the scores of the run before")
    create.add_argument("--overlap", choices=["skip", "queue"])
    create.add_argument("--no-catch-up", action="store_true", help="no run for due times missed while down")
    create.add_argument("--paused", action="store_true")
    preview = actions.add_parser("preview", help="the next due times of an expression or interval")
    _timing(preview)
    actions.add_parser("list", help="every schedule with its next due time and last run")
    for action, summary in (
        ("get", "one schedule: when, what, the next five due times, its last run"),
        ("pause", "start nothing more (a run going goes on)"),
        ("resume", "start again from now"),
        ("runs", "the history, newest first"),
        ("delete", "delete it and its history (what its runs made stays)"),
    ):
        actions.add_parser(action, help=summary).add_argument("name")
    run = actions.add_parser("run", help="start a run now, under the overlap rule")
    run.add_argument("name")
    _wait_flag(run, False, "it has ended")


def _timing(parser: argparse.ArgumentParser) -> None:
    when = parser.add_mutually_exclusive_group()
    when.add_argument("--cron", metavar="EXPR", help="5 fields, or 6 with seconds first")
    when.add_argument("--every", metavar="INTERVAL", help="30s, 5m, 2h, 1d")
    parser.add_argument("--tz", metavar="ZONE", help="the IANA time zone of --cron (default UTC)")


def _data(value: str) -> str:
    """A path here made absolute; a dataset name[:version] as it is (the bridge pins it)."""
    return os.path.abspath(value) if os.path.exists(value) or "/" in value else value


def steps_of(args) -> List[Dict[str, Any]]:
    """The chain in its one order: retrain → evaluate → promote → re-score (as ``emkit schedule create``)."""
    steps: List[Dict[str, Any]] = []
    extras: Dict[str, Any] = {}
    if args.hp:
        extras["hyperparameters"] = as_dict(args.hp)
    if args.model:
        extras["model"] = args.model
    datasets = {k: _data(v) for k, v in as_dict(args.dataset).items()}
    if args.training:
        step = {"kind": "training", "training": args.training, **extras}
        if args.source:
            step["source"] = args.source
        if datasets:
            step["datasets"] = datasets
        steps.append(step)
    elif args.notebook:
        # the file as saved at each run; a relative path is the notebook's folder's, made absolute here
        step = {"kind": "training", "path": os.path.abspath(args.notebook), **extras}
        if datasets:
            step["datasets"] = datasets
        steps.append(step)
    elif args.recipe:
        steps.append({"kind": "recipe", "recipe": args.recipe, "datasets": datasets, **extras})
    if args.evaluate:
        step = {"kind": "evaluation", "data": _data(args.evaluate)}
        if args.label:
            step["label"] = args.label
        steps.append(step)
    if args.promote:
        if args.metric is None or args.threshold is None:
            raise MagicError("%emkit schedule create: --promote ALIAS needs --metric NAME and --threshold NUMBER")
        step = {"kind": "promote", "alias": args.promote, "metric": args.metric, "threshold": args.threshold}
        if args.comparison:
            step["comparison"] = args.comparison
        steps.append(step)
    if args.batch:
        batch: Dict[str, Any] = {"input": _data(args.batch)}
        if args.batch_output:
            batch["output"] = os.path.abspath(args.batch_output)
        if args.batch_model:
            batch["model"] = args.batch_model
        if args.overwrite:
            batch["overwrite"] = True
        steps.append({"kind": "batch", "batch": batch})
    if not steps:
        raise MagicError("%emkit schedule create: say what runs: --training, --notebook, --recipe or --batch")
    return steps


def schedule(ctx, args, cell):
    schedules = ctx.client.schedules
    if args.action == "list":
        return Table(schedules.list(), SCHEDULE_COLUMNS, "schedules")
    if args.action == "preview":
        return schedules.preview(cron=args.cron, timezone=args.tz, every=args.every)
    if args.action == "create":
        created = schedules.create(
            args.name,
            steps_of(args),
            cron=args.cron,
            timezone=args.tz,
            every=args.every,
            overlap=args.overlap,
            catch_up=False if args.no_catch_up else None,
            paused=args.paused,
        )
        return Record(created, SCHEDULE_FIELDS, f"schedule {created['name']}")
    if args.action == "get":
        found = schedules.get(args.name)
        return Record(found, SCHEDULE_FIELDS, f"schedule {found['name']}")
    if args.action in ("pause", "resume"):
        changed = getattr(schedules, args.action)(args.name)
        print(f"schedule {changed['name']}: {changed['state']}")
        return None
    if args.action == "run":
        run = schedules.run(args.name, wait=args.wait)
        print(
            f"run {run['number']} of {args.name}: {run['state']}" + (f" ({run['reason']})" if run.get("reason") else "")
        )
        return run
    if args.action == "runs":
        return Table(schedules.runs(args.name), RUN_COLUMNS, f"runs of {args.name}")
    schedules.delete(args.name)
    print(f"schedule {args.name} deleted (what its runs made stays)")
    return None
