"""``%emkit tune`` and ``%emkit tunings list|get|trials|stop|copy|delete|model``: the CLI's ``emkit tune``
and ``emkit tuning`` from a cell — a search over hyperparameters, each trial a training."""

from __future__ import annotations

import argparse
from collections import deque
from typing import Any, Dict, List, Optional

from ..space_spec import SpaceSpecError, format_space, js_number, parse_space_entry
from ..states import SETTLED_TUNING_STATES, TUNING_STATES
from .display import Record, Table, elapsed, progress_html, progress_text
from .notebook import current_notebook, inside_training
from .parsing import MagicError, PairsAction, as_dict
from .waiting import watch

TRIAL_STATES = ("RUNNING", "COMPLETE", "PRUNED", "FAILED", "STOPPED")
TRIAL_TAIL = 8  # the last trials shown while waiting


def _short(value: Optional[float]) -> str:
    return "" if value is None else js_number(float(f"{value:.6g}"))


def _value_text(value: Any) -> str:
    if isinstance(value, float):
        return _short(value)
    return js_number(value) if isinstance(value, (bool, int)) else str(value)


def params_text(params: Dict[str, Any]) -> str:
    """``lr=0.0012 depth=4 opt=adam``, as the CLI writes them."""
    return " ".join(f"{k}={_value_text(v)}" for k, v in params.items())


def trial_line(trial: Dict[str, Any]) -> str:
    """One line for a trial that has ended, as ``emkit tune --wait`` prints it."""
    value = f" {_short(trial['value'])}" if trial.get("value") is not None else ""
    reason = f" ({trial['stateReason']})" if trial.get("stateReason") else ""
    return f"trial {trial['number']} {trial['state']}{value}: {params_text(trial.get('params') or {})}{reason}"


def best_line(tuning: Dict[str, Any]) -> str:
    best = tuning.get("best")
    metric = tuning["objective"]["metric"]
    if not best:
        return f"none yet (no trial has logged {metric})"
    value = _short(best["value"])
    return f"trial {best['number']}, {metric} {value}: {params_text(best['params'])} ({best['trainingName']})"


def _counts(tuning: Dict[str, Any]) -> str:
    counts = tuning["trials"]
    more = [f"{counts[k]} {k}" for k in ("running", "pruned", "failed", "stopped") if counts.get(k)]
    return f"{counts['total']}/{tuning['maxTrials']}" + (f" ({', '.join(more)})" if more else "")


def _importance(tuning: Dict[str, Any]) -> str:
    ranked = sorted((tuning.get("importance") or {}).items(), key=lambda kv: -kv[1])
    return ", ".join(f"{k} {v:.2f}" for k, v in ranked)


TUNING_FIELDS = [
    ("name", "name"),
    ("state", "state"),
    ("reason", "stateReason"),
    ("experiment", "experimentName"),
    ("objective", lambda t: f"{t['objective']['metric']} {t['objective']['mode']} ({t['objective']['aggregate']})"),
    ("algorithm", lambda t: t["algorithm"] + (f" + {t['pruner']} pruner" if t["pruner"] != "none" else "")),
    ("space", lambda t: " ".join(format_space(t["space"]))),
    ("fixed", "fixed"),
    ("trials", _counts),
    ("parallel", "parallel"),
    ("best", best_line),
    ("importance", _importance),
    ("cluster", "cluster"),
    ("id", "id"),
    ("folder", "dir"),
]
TUNING_COLUMNS = [
    ("name", "name"),
    ("experiment", "experimentName"),
    ("state", "state"),
    ("algorithm", lambda t: t["algorithm"] + (f" + {t['pruner']}" if t["pruner"] != "none" else "")),
    ("objective", lambda t: f"{t['objective']['metric']} {t['objective']['mode']}"),
    ("trials", _counts),
    ("best", lambda t: _short((t.get("best") or {}).get("value"))),
    ("created", "createdAt"),
]
TRIAL_COLUMNS = [
    ("#", "number"),
    ("state", "state"),
    ("value", lambda t: _short(t["value"] if t.get("value") is not None else t.get("lastValue"))),
    ("step", lambda t: t.get("prunedAtStep") if t.get("prunedAtStep") is not None else t.get("lastStep")),
    ("params", lambda t: params_text(t.get("params") or {})),
    ("training", "trainingName"),
    ("reason", "stateReason"),
]


def tuning_record(tuning: Dict[str, Any]) -> Record:
    return Record(tuning, TUNING_FIELDS, f"tuning {tuning['name']}")


class SpaceAction(argparse.Action):
    """A repeatable ``--space key=type:…`` gathered into the space by the shared rule (a key given twice,
    or a malformed spec, is a usage error naming ``space.<key>``)."""

    def __call__(self, parser, namespace, values, option_string=None):
        space = dict(getattr(namespace, self.dest, None) or {})
        try:
            key, spec = parse_space_entry(str(values))
        except SpaceSpecError as error:
            raise argparse.ArgumentError(self, str(error)) from None
        if key in space:
            raise argparse.ArgumentError(self, f"space.{key} is given twice.")
        space[key] = spec
        setattr(namespace, self.dest, space)


def add_parser(commands) -> None:
    """``tune`` and ``tunings``, on the root parser's subcommands."""
    from .parsing import _Parser, _wait_flag, duration, early_stop, non_negative, positive

    tune = commands.add_parser("tune", help="search hyperparameters: this notebook (or PATH) as trainings over a space")
    tune.add_argument("path", nargs="?", help="a notebook, a script or a folder (default: this notebook)")
    tune.add_argument(
        "--space",
        action=SpaceAction,
        required=True,
        metavar="KEY=TYPE:…",
        help="a searched parameter (repeatable): uniform:LOW:HIGH, loguniform:LOW:HIGH, int:LOW:HIGH[:STEP], "
        "discrete:LOW:HIGH:STEP, choice:A,B,C",
    )
    tune.add_argument("--metric", required=True, help="the metric the trials log that is the objective")
    tune.add_argument("--mode", required=True, choices=["min", "max"])
    tune.add_argument("--aggregate", choices=["last", "best", "step"], help="the trial's value (default last)")
    tune.add_argument("--step", type=non_negative, help="with --aggregate step: the step whose value counts")
    tune.add_argument("--trials", type=positive, metavar="N", help="trials in all (default: the grid's size, else 20)")
    tune.add_argument("--parallel", type=positive, metavar="N", help="trials at once (default 1)")
    tune.add_argument("--algorithm", choices=["tpe", "random", "grid", "cmaes"], help="default tpe")
    tune.add_argument("--prune", choices=["none", "median", "hyperband"], help="stop hopeless trials (default none)")
    tune.add_argument("--fixed", action=PairsAction, kind="hyperparameter", metavar="KEY=VALUE")
    tune.add_argument("--seed", type=non_negative, help="the sampler's seed")
    tune.add_argument("--max-duration", type=duration, metavar="DURATION", help="the whole tuning's budget: 30m, 2h")
    tune.add_argument("--trial-max-time", type=duration, metavar="DURATION", help="stop a trial after this long")
    tune.add_argument("--early-stop", type=early_stop, metavar="METRIC:MODE:PATIENCE[:MIN_DELTA]")
    tune.add_argument("--entry", help="with a folder: the .py or .ipynb to run, relative to it")
    tune.add_argument("--dataset", action=PairsAction, kind="dataset", metavar="NAME=PATH")
    tune.add_argument("--tag", action=PairsAction, kind="tag", metavar="KEY=VALUE")
    tune.add_argument("--env", help="the environment (default: this kernel's emkit environment, else the bridge's)")
    tune.add_argument("--experiment", help="the experiment its trials go to (default: default)")
    tune.add_argument("--cluster", metavar="NAME", help="the Ray cluster its trials run on (default: here)")
    tune.add_argument("--name")
    tune.add_argument("--description")
    _wait_flag(tune, False, "it has ended")

    tunings = commands.add_parser("tunings", help="tunings: list (the default), get, trials, stop, copy, delete, model")
    actions = tunings.add_subparsers(dest="action", metavar="ACTION", parser_class=_Parser)
    listing = actions.add_parser("list", help="every tuning, newest first")
    listing.add_argument("--experiment")
    listing.add_argument("--state", choices=TUNING_STATES)
    get = actions.add_parser("get", help="one tuning: its trials, best trial and the parameters' importance")
    get.add_argument("name")
    trials = actions.add_parser("trials", help="its trials in number order")
    trials.add_argument("name")
    trials.add_argument("--state", choices=TRIAL_STATES)
    stop = actions.add_parser("stop", help="no new trial starts; the running ones are stopped")
    stop.add_argument("name")
    _wait_flag(stop, False, "it has stopped")
    copy = actions.add_parser("copy", help="the same search again, as a new tuning")
    copy.add_argument("name")
    copy.add_argument("--name", dest="new_name", metavar="NAME", help="the new tuning's name")
    copy.add_argument("--trials", type=positive, metavar="N")
    copy.add_argument("--parallel", type=positive, metavar="N")
    copy.add_argument("--seed", type=non_negative)
    _wait_flag(copy, False, "it has ended")
    delete = actions.add_parser("delete", help="a tuning that has ended, with its study (its trainings stay)")
    delete.add_argument("name")
    delete.add_argument("--trainings", action="store_true", help="its trials' trainings too")
    model = actions.add_parser("model", help="register a model from the best trial's training")
    model.add_argument("name")
    model.add_argument(
        "--name", dest="model", required=True, metavar="MODEL", help="the model's name (a new version if it exists)"
    )
    model.add_argument("--alias", action="append", metavar="ALIAS")


def tune(ctx, args, cell):
    if not args.path and inside_training():
        # this notebook is itself a trial or a training: tuning it again would recurse
        print("emkit: %emkit tune is skipped inside a training")
        return None
    from .trainings import kernel_environment

    source = args.path or str(current_notebook(ctx.shell.user_ns))
    client = ctx.client
    environment = args.env if args.env is not None or args.cluster else kernel_environment(client)
    tuning = client.tunings.create(
        source,
        args.space,
        args.metric,
        args.mode,
        aggregate=args.aggregate,
        step=args.step,
        entry_point=args.entry,
        fixed=as_dict(args.fixed),
        algorithm=args.algorithm,
        pruner=args.prune,
        trials=args.trials,
        parallel=args.parallel,
        seed=args.seed,
        max_duration_seconds=args.max_duration,
        trial_max_duration_seconds=args.trial_max_time,
        early_stopping=args.early_stop,
        datasets=as_dict(args.dataset),
        environment=environment,
        experiment=args.experiment,
        cluster=args.cluster,
        tags=as_dict(args.tag),
        name=args.name,
        description=args.description,
    )
    if args.wait:
        return wait_for_tuning(client, tuning)
    print(f"tuning {tuning['name']} started: `%emkit tunings trials {tuning['name']}` shows its trials")
    return tuning_record(tuning)


def wait_for_tuning(client, tuning: Dict[str, Any]) -> Record:
    """Show the tuning's state, counts, best and last ended trials, in place, until it ends."""
    key, name = tuning["id"], tuning["name"]
    tail: deque = deque(maxlen=TRIAL_TAIL)
    shown: set = set()

    def fetch() -> Dict[str, Any]:
        current = client.tunings.get(key)
        for trial in client.tunings.trials(key):
            if trial["state"] != "RUNNING" and trial["number"] not in shown:
                shown.add(trial["number"])
                tail.append(trial_line(trial))
        return current

    def render(current: Dict[str, Any], seconds: float):
        details: List = [("waited", elapsed(seconds)), ("trials", _counts(current)), ("best", best_line(current))]
        title = f"tuning {name}"
        reason = current.get("stateReason") if current["state"] != "COMPLETE" else None
        return (
            progress_html(title, current["state"], details, list(tail), reason),
            progress_text(title, current["state"], details, reason),
        )

    done = watch(fetch, lambda t: t["state"] in SETTLED_TUNING_STATES, render, f"tuning {name}", every=0.5)
    if done["state"] != "COMPLETE":
        reason = (done.get("stateReason") or "").strip()
        raise MagicError(f"tuning {name} ended {done['state']}" + (f": {reason.splitlines()[0]}" if reason else ""))
    return tuning_record(done)


def tunings(ctx, args, cell):
    client = ctx.client
    action = args.action or "list"
    if action == "list":
        rows = client.tunings.list(experiment=getattr(args, "experiment", None), state=getattr(args, "state", None))
        return Table(rows, TUNING_COLUMNS, "tunings")
    if action == "get":
        return tuning_record(client.tunings.get(args.name))
    if action == "trials":
        return Table(client.tunings.trials(args.name, state=args.state), TRIAL_COLUMNS, f"trials of {args.name}")
    if action == "stop":
        return tuning_record(client.tunings.stop(args.name, wait=args.wait))
    if action == "copy":
        copied = client.tunings.copy(
            args.name, name=args.new_name, trials=args.trials, parallel=args.parallel, seed=args.seed
        )
        if args.wait:
            return wait_for_tuning(client, copied)
        print(f"tuning {copied['name']} started (a copy of {args.name})")
        return tuning_record(copied)
    if action == "model":
        from .serving import model_record

        return model_record(client.tunings.create_model_from_best(args.name, args.model, aliases=args.alias))
    client.tunings.delete(args.name, trainings=args.trainings)
    print(f"tuning {args.name} deleted" + (" with its trainings" if args.trainings else " (its trainings stay)"))
    return None
