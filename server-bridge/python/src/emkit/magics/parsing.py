"""The grammar of ``%emkit``: one argparse tree, and the small value parsers it uses.

argparse prints usage and calls ``sys.exit`` on a bad option; in a notebook that would be a
SystemExit traceback. Here a bad option raises :class:`MagicError` (one line, shown as such)
and ``--help`` raises :class:`HelpShown` after printing the help.
"""

from __future__ import annotations

import argparse
import re
import shlex
from typing import Any, Dict, List, Optional

from ..quality import EarlyStopError, parse_early_stop
from .pairs import PairsError, add_pair


class MagicError(Exception):
    """What went wrong, in one line: shown as the cell's error with no traceback."""

    def _render_traceback_(self) -> List[str]:
        # IPython asks exceptions for their own traceback first (ipyparallel's hook): the one
        # line is all the user needs, in the notebook, the terminal and a training's log alike.
        message = str(self)
        return [message if message.startswith("%emkit") else f"emkit: {message}"]


class HelpShown(Exception):
    """``--help`` was asked for and printed: nothing else to do."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):
        raise MagicError(f"{self.prog}: {message} (see `{self.prog} --help`)")

    def exit(self, status: int = 0, message: Optional[str] = None):
        if message:
            print(message)
        raise HelpShown()


class PairsAction(argparse.Action):
    """A repeatable ``KEY=VALUE`` option gathered into a dict by the one key=value rule
    (:mod:`emkit.magics.pairs`): a bad entry, or a key given twice, is a usage error."""

    def __init__(self, option_strings, dest, kind: str, **kwargs):
        self.kind = kind
        super().__init__(option_strings, dest, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        try:
            gathered = add_pair(getattr(namespace, self.dest, None) or {}, str(values), self.kind)
        except PairsError as error:
            raise argparse.ArgumentError(self, str(error)) from None
        setattr(namespace, self.dest, gathered)


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def duration(text: str) -> int:
    """``90``, ``45s``, ``30m``, ``2h``, ``1h30m``, ``1d`` → whole seconds (at least 1)."""
    compact = re.sub(r"\s+", "", text.lower())
    if re.fullmatch(r"\d+(?:\.\d+)?", compact):
        seconds = float(compact)
    elif re.fullmatch(r"(?:\d+(?:\.\d+)?[smhd])+", compact):
        seconds = sum(float(amount) * _UNITS[unit] for amount, unit in re.findall(r"(\d+(?:\.\d+)?)([smhd])", compact))
    else:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration like 90, 45s, 30m, 2h or 1h30m")
    if seconds < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is shorter than a second")
    return round(seconds)


def non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not 0 or more")
    return value


def positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not 1 or more")
    return value


def early_stop(text: str) -> Dict[str, Any]:
    """``val_loss:min:5[:minDelta]`` → the rule the bridge takes."""
    try:
        return parse_early_stop(text)
    except EarlyStopError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _probability(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a probability between 0 and 1")
    return value


def as_dict(pairs: Optional[Dict[str, str]]) -> Dict[str, str]:
    return dict(pairs or {})


def _wait_flag(parser: argparse.ArgumentParser, default: bool, what: str) -> None:
    # two flags rather than BooleanOptionalAction: the package still runs on Python 3.8
    flags = parser.add_mutually_exclusive_group()
    flags.add_argument(
        "--wait",
        dest="wait",
        action="store_true",
        help=f"wait until {what}, showing its progress{' (the default)' if default else ''}",
    )
    flags.add_argument(
        "--no-wait", dest="wait", action="store_false", help=f"don't wait{' (the default)' if not default else ''}"
    )
    parser.set_defaults(wait=default)


def _train_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--name", help="the training's name (default: from the source and the time)")
    parser.add_argument("--experiment", help="the experiment to file it under (made if it doesn't exist)")
    parser.add_argument(
        "--env", help="the environment to run in (default: this kernel's emkit environment, else the bridge's Python)"
    )
    parser.add_argument(
        "--hp",
        action=PairsAction,
        kind="hyperparameter",
        metavar="KEY=VALUE",
        help="a hyperparameter (repeatable): --KEY VALUE, EM_HP_KEY and EM_HPS in the run",
    )
    parser.add_argument(
        "--dataset",
        action=PairsAction,
        kind="dataset",
        metavar="NAME=PATH",
        help="a dataset folder (repeatable): EM_DATASET_NAME in the run",
    )
    parser.add_argument("--instances", type=positive, default=1, metavar="N", help="ranks to start (torchrun style)")
    parser.add_argument("--cluster", metavar="NAME", help="the Ray cluster to run on (default: the default one)")
    parser.add_argument("--strict-spread", action="store_true", help="on a cluster: each rank on a node of its own")
    parser.add_argument(
        "--max-retries",
        type=non_negative,
        metavar="N",
        help="on a cluster: start it again up to N times after a lost node",
    )
    parser.add_argument("--max-time", type=duration, metavar="DURATION", help="stop it after this long: 90s, 30m, 2h")
    parser.add_argument(
        "--early-stop",
        type=early_stop,
        metavar="METRIC:MODE:PATIENCE[:MIN_DELTA]",
        help="end it (COMPLETE) when a metric stops improving: val_loss:min:5, val_accuracy:max:3:0.001",
    )
    parser.add_argument("--tag", action=PairsAction, kind="tag", metavar="KEY=VALUE", help="a tag (repeatable)")
    parser.add_argument("--description")
    _wait_flag(parser, False, "it has ended")


def _on_off(text: str) -> bool:
    if text not in ("on", "off"):
        raise argparse.ArgumentTypeError(f"{text!r} is neither on nor off")
    return text == "on"


def _memory_limit(text: str):
    # "none" kept as the word: None is what argparse gives an option left out
    return text if text == "none" else positive(text)


def _stage_lifecycle(endpoint_commands) -> None:
    """``%emkit endpoint settings|redeploy|deactivate|activate NAME STAGE``."""
    settings = endpoint_commands.add_parser(
        "settings", help="change what watches a stage (memory limit, payload logging, drift), no redeploy"
    )
    settings.add_argument("name")
    settings.add_argument("stage")
    settings.add_argument("--memory-limit", type=_memory_limit, metavar="MB", help='restart a worker over it ("none")')
    settings.add_argument("--payload-logging", type=_on_off, metavar="on|off", help="log its requests and answers")
    settings.add_argument("--sample-rate", type=_probability, metavar="P", help="the share of requests logged")
    settings.add_argument("--redact", action="append", metavar="FIELD", help="a field logged as [redacted] (repeat)")
    settings.add_argument("--drift", type=_on_off, metavar="on|off", help="watch its inputs' drift")
    settings.add_argument("--drift-window", metavar="WIDTH", help="30s, 5m, 1h, 1d (default 1h)")
    settings.add_argument("--drift-reference", metavar="DATASET|PATH", help="default: its training's table")
    redeploy = endpoint_commands.add_parser("redeploy", help="deploy a CREATE/DEPLOY FAILED stage again in place")
    deactivate = endpoint_commands.add_parser("deactivate", help="stop a stage's workers; its routes answer 503")
    activate = endpoint_commands.add_parser("activate", help="start an INACTIVE stage's workers again")
    for parser in (redeploy, deactivate, activate):
        parser.add_argument("name")
        parser.add_argument("stage")
    _wait_flag(redeploy, True, "it is ACTIVE")
    _wait_flag(activate, True, "it is ACTIVE")


def build() -> argparse.ArgumentParser:
    root = _Parser(
        prog="%emkit",
        description="emkit from a notebook cell: train, promote, deploy and call models.",
        epilog="`%emkit COMMAND --help` tells more. The bridge is found through runtime.json in the "
        "emkit home, or EMKIT_URL and EMKIT_TOKEN.",
    )
    commands = root.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    commands.add_parser("status", help="the bridge: version, uptime, how many of each resource")

    listing = commands.add_parser(
        "list",
        help="list environments, experiments, datasets, trainings, models, evaluations, endpoints, tensorboards"
        " or clusters",
    )
    listing.add_argument(
        "resource",
        choices=[
            "environments",
            "experiments",
            "trainings",
            "models",
            "evaluations",
            "endpoints",
            "tensorboards",
            "clusters",
            "datasets",
        ],
    )
    listing.add_argument("--experiment", help="trainings: only this experiment's")

    env = commands.add_parser("env", help="environments: create, list, delete")
    env_commands = env.add_subparsers(dest="action", metavar="ACTION", parser_class=_Parser)
    env_commands.required = True
    create = env_commands.add_parser("create", help="create an environment (a kernel of its own, emkit inside)")
    create.add_argument("name")
    create.add_argument("--python", help="the Python version, e.g. 3.11")
    create.add_argument("-p", "--package", action="append", metavar="SPEC", help="a package to install (repeatable)")
    create.add_argument("--requirements", metavar="FILE", help="a requirements.txt to install")
    create.add_argument("--manager", default="venv", help="venv (default), conda, mamba or micromamba")
    _wait_flag(create, True, "it is ACTIVE")
    env_commands.add_parser("list", help="every environment")
    delete = env_commands.add_parser("delete", help="delete an environment and its kernel")
    delete.add_argument("name")

    train = commands.add_parser("train", help="run this notebook (or PATH, or the cell with %%%%emkit) as a training")
    train.add_argument(
        "path", nargs="?", help="a notebook, a script, or a folder with --entry (default: this notebook)"
    )
    train.add_argument("--entry", help="with a folder: the notebook or script in it to run")
    _train_options(train)

    logs = commands.add_parser("logs", help="a training's log")
    logs.add_argument("training")
    logs.add_argument("--follow", "-f", action="store_true", help="keep printing until the training ends")
    logs.add_argument("--rank", type=int, default=0, help="which rank's log (default 0)")

    stop = commands.add_parser("stop", help="stop a training")
    stop.add_argument("training")
    _wait_flag(stop, False, "it has stopped")

    copy = commands.add_parser("copy", help="run a training again; options replace its settings")
    copy.add_argument("training")
    copy.add_argument("--name")
    copy.add_argument("--experiment")
    copy.add_argument("--env")
    copy.add_argument(
        "--hp",
        action=PairsAction,
        kind="hyperparameter",
        metavar="KEY=VALUE",
        help="hyperparameters to use instead (repeatable; replaces them all)",
    )
    copy.add_argument("--instances", type=positive, metavar="N")
    copy.add_argument("--cluster", metavar="NAME", help="run the copy on this Ray cluster ('local': on this machine)")
    copy.add_argument(
        "--max-retries", type=non_negative, metavar="N", help="on a cluster: starts again after a lost node"
    )
    copy.add_argument("--max-time", type=duration, metavar="DURATION")
    rules = copy.add_mutually_exclusive_group()
    rules.add_argument("--early-stop", type=early_stop, metavar="METRIC:MODE:PATIENCE[:MIN_DELTA]")
    rules.add_argument("--no-early-stop", action="store_true", help="run the copy without the early-stopping rule")
    _wait_flag(copy, False, "it has ended")

    model = commands.add_parser("model", help="models: create from a training, list, quick-test, activate, deactivate")
    model_commands = model.add_subparsers(dest="action", metavar="ACTION", parser_class=_Parser)
    model_commands.required = True
    model_create = model_commands.add_parser("create", help="the next version of a model, from a COMPLETE training")
    model_create.add_argument("--from", dest="training", required=True, metavar="TRAINING")
    model_create.add_argument("--name", help="the model's name (default: the training's experiment)")
    model_create.add_argument("--alias", action="append", help="an alias for this version (repeatable)")
    model_create.add_argument("--description")
    for verb, what in (
        ("activate", "reactivate a version: it can be deployed, quick-tested and evaluated again"),
        ("deactivate", "deactivate a version: refused deployment, quick tests and evaluations until reactivated"),
    ):
        toggle = model_commands.add_parser(verb, help=what)
        toggle.add_argument("model", help="name:VERSION (or name, name@ALIAS)")
    model_list = model_commands.add_parser("list", help="model versions, newest first")
    model_list.add_argument("name", nargs="?")
    model_predict = model_commands.add_parser(
        "predict",
        help="quick test: call a version with no endpoint; %%%%emkit's cell holds the instances as JSON",
    )
    model_predict.add_argument("model", help="name, name:VERSION or name@ALIAS")
    model_predict.add_argument("--scores", action="store_true", help="also each class's score (probabilities)")
    model_predict.add_argument(
        "--file", metavar="PATH", help="a file for a model that takes files (image, audio, text) instead of a cell"
    )

    promote = commands.add_parser("promote", help="point an alias (production, staging, …) at a model version")
    promote.add_argument("model")
    promote.add_argument("version", type=positive)
    promote.add_argument("--alias", required=True)

    evaluate = commands.add_parser(
        "evaluate", help="judge a model version on held-out data: figures, per-class table, confusion matrix"
    )
    evaluate.add_argument("model", help="name, name:VERSION or name@ALIAS")
    evaluate.add_argument(
        "--data", required=True, metavar="PATH", help="a .csv/.parquet with a label column, a .jsonl, or a class folder"
    )
    evaluate.add_argument("--label", metavar="COLUMN", help='the label column (default "label")')
    evaluate.add_argument("--features", metavar="A,B", help="the feature columns, in the model's order")
    evaluate.add_argument("--task", choices=["classification", "regression", "clustering"])
    evaluate.add_argument("--threshold", type=_probability, metavar="P", help="the probability threshold (default 0.5)")
    evaluate.add_argument(
        "--max-errors", type=int, metavar="N", help="mistakes kept, most confident first (default 50)"
    )
    evaluate.add_argument("--env", help="the environment to run in (default: the model's training's)")

    endpoint = commands.add_parser(
        "endpoint",
        help=(
            "endpoints: create, stage, default, delete, list; a stage's settings, redeploy, deactivate, activate;"
            " payloads, feedback, quality, drift"
        ),
    )
    endpoint_commands = endpoint.add_subparsers(dest="action", metavar="ACTION", parser_class=_Parser)
    endpoint_commands.required = True
    endpoint_create = endpoint_commands.add_parser("create", help="deploy a model behind a new endpoint")
    endpoint_create.add_argument("name")
    endpoint_create.add_argument("--model", required=True, help="name, name:VERSION or name@ALIAS")
    endpoint_create.add_argument("--stage", help="the default stage's name (default: default)")
    endpoint_create.add_argument("--instances", type=positive, metavar="N")
    endpoint_create.add_argument("--env", help="the environment its workers run in")
    endpoint_create.add_argument("--cluster", help="run it on this Ray cluster (Ray Serve, --instances replicas)")
    _wait_flag(endpoint_create, True, "it is ACTIVE")
    stage = endpoint_commands.add_parser("stage", help="deploy another model version as a stage beside the default")
    stage.add_argument("name")
    stage.add_argument("stage")
    stage.add_argument("--model", required=True, help="name, name:VERSION or name@ALIAS")
    stage.add_argument("--instances", type=positive, metavar="N")
    stage.add_argument("--env")
    stage.add_argument("--cluster", help="run it on this Ray cluster (Ray Serve, --instances replicas)")
    _wait_flag(stage, True, "it is ACTIVE")
    default = endpoint_commands.add_parser("default", help="make an ACTIVE stage the default (no request dropped)")
    default.add_argument("name")
    default.add_argument("stage")
    endpoint_delete = endpoint_commands.add_parser("delete", help="delete an endpoint, or one of its stages")
    endpoint_delete.add_argument("name")
    endpoint_delete.add_argument("--stage", help="delete only this stage")
    endpoint_commands.add_parser("list", help="every endpoint")
    _stage_lifecycle(endpoint_commands)
    from .payloads import add_actions as add_payload_actions  # its own module, as its actions are

    add_payload_actions(endpoint_commands)
    from .drift import add_actions as add_drift_actions  # its own module too

    add_drift_actions(endpoint_commands)

    predict = commands.add_parser("predict", help="call an endpoint with a Python expression's value as the instances")
    predict.add_argument("endpoint")
    predict.add_argument("--stage", help="a named stage instead of the default one")
    predict.add_argument(
        "expression", nargs="?", help="a Python expression in the notebook's namespace; with %%%%emkit, the cell"
    )

    tensorboard = commands.add_parser("tensorboard", help="TensorBoard for a training or an experiment, in the output")
    tensorboard.add_argument("key", metavar="TRAINING|EXPERIMENT")
    tensorboard.add_argument("--height", type=positive, default=600, help="pixels (default 600)")

    compare = commands.add_parser("compare", help="an experiment's trainings side by side: hyperparameters, metrics")
    compare.add_argument("experiment")

    ds = commands.add_parser("dataset", help="datasets: create, upload, list, get, preview, versions, version, delete")
    ds_commands = ds.add_subparsers(dest="action", metavar="ACTION", parser_class=_Parser)
    ds_commands.required = True
    ds_create = ds_commands.add_parser("create", help="a dataset of a file or folder the bridge can read")
    ds_create.add_argument("name")
    ds_create.add_argument("path")
    ds_create.add_argument("--reference", action="store_true", help="read it in place instead of copying it in")
    ds_create.add_argument("--description")
    ds_upload = ds_commands.add_parser("upload", help="send a file, or a folder (zipped here), to the bridge")
    ds_upload.add_argument("name")
    ds_upload.add_argument("path")
    ds_upload.add_argument("--description")
    ds_commands.add_parser("list", help="every dataset with its newest version")
    ds_get = ds_commands.add_parser("get", help="one dataset")
    ds_get.add_argument("name")
    ds_preview = ds_commands.add_parser("preview", help="first rows and column types, or classes with samples")
    ds_preview.add_argument("ref", metavar="NAME[:VERSION]")
    ds_preview.add_argument("--rows", type=int, default=20, help="rows of a table to show (default 20)")
    ds_versions = ds_commands.add_parser("versions", help="a dataset's versions, newest first")
    ds_versions.add_argument("name")
    ds_version = ds_commands.add_parser("version", help="read the source again: a new version if it changed")
    ds_version.add_argument("name")
    ds_delete = ds_commands.add_parser("delete", help="delete a dataset (and its copied content)")
    ds_delete.add_argument("name")
    recipe = commands.add_parser("recipe", help="recipes: the six no-code model types and saved trainings; train one")
    recipe_commands = recipe.add_subparsers(dest="action", metavar="ACTION", parser_class=_Parser)
    recipe_commands.required = True
    recipe_commands.add_parser("list", help="the built-ins first, then the saved recipes")
    recipe_get = recipe_commands.add_parser("get", help="a recipe with the datasets and parameters it takes")
    recipe_get.add_argument("name")
    recipe_save = recipe_commands.add_parser("save", help="save a COMPLETE training as a recipe")
    recipe_save.add_argument("--from", dest="training", required=True, metavar="TRAINING")
    recipe_save.add_argument("name")
    recipe_save.add_argument("--description")
    recipe_delete = recipe_commands.add_parser("delete", help="delete a saved recipe (built-ins are refused)")
    recipe_delete.add_argument("name")
    recipe_train = recipe_commands.add_parser("train", help="train a recipe on your data with parameter values")
    recipe_train.add_argument("name", metavar="RECIPE")
    recipe_train.add_argument(
        "--dataset",
        action=PairsAction,
        kind="dataset",
        metavar="NAME=NAME_OR_PATH",
        help="a dataset (repeatable): a dataset name[:version] or a path",
    )
    recipe_train.add_argument(
        "--hp", action=PairsAction, kind="hyperparameter", metavar="KEY=VALUE", help="a parameter value (repeatable)"
    )
    models = recipe_train.add_mutually_exclusive_group()
    models.add_argument(
        "--model", metavar="NAME", help="a built-in: the model it registers (default: the training name)"
    )
    models.add_argument("--no-model", action="store_true", help="a built-in: register no model")
    recipe_train.add_argument("--name", dest="training_name", metavar="NAME", help="the training's name")
    recipe_train.add_argument("--experiment")
    recipe_train.add_argument(
        "--env", help="the environment to run in (default: the recipe's, else the bridge's Python)"
    )
    recipe_train.add_argument("--description")
    _wait_flag(recipe_train, False, "it has ended")

    cluster = commands.add_parser("cluster", help="Ray clusters: list, get, add, up, down, remove, default, dashboard")
    cluster_commands = cluster.add_subparsers(dest="action", metavar="ACTION", parser_class=_Parser)
    cluster_commands.required = True
    cluster_commands.add_parser("list", help="every cluster: state, Ray version, nodes")
    cluster_get = cluster_commands.add_parser("get", help="one cluster with its nodes")
    cluster_get.add_argument("name")
    cluster_add = cluster_commands.add_parser("add", help="add a running Ray cluster by its dashboard address")
    cluster_add.add_argument("name")
    cluster_add.add_argument("--ray", required=True, metavar="URL", help="the dashboard, http://HEAD:8265")
    cluster_add.add_argument("--token-file", metavar="FILE", help="a file holding Ray's auth token")
    _wait_flag(cluster_add, True, "it has been checked")
    cluster_up = cluster_commands.add_parser("up", help="start a Ray cluster on the bridge's machine (or again)")
    cluster_up.add_argument("name")
    cluster_up.add_argument("--nodes", type=positive, default=2, metavar="N", help="head + N-1 (default 2)")
    cluster_up.add_argument("--cpus-per-node", type=positive, default=1, metavar="N", help="default 1")
    cluster_up.add_argument("--memory-mb", type=positive, metavar="MB", help="memory per node for Ray (default 1024)")
    _wait_flag(cluster_up, True, "every node is ALIVE")
    cluster_down = cluster_commands.add_parser("down", help="stop a local cluster's nodes")
    cluster_down.add_argument("name")
    cluster_remove = cluster_commands.add_parser("remove", help="forget a cluster (a local one is stopped first)")
    cluster_remove.add_argument("name")
    cluster_dashboard = cluster_commands.add_parser(
        "dashboard", help="the cluster's Ray dashboard in the output, through the bridge (which adds Ray's token)"
    )
    cluster_dashboard.add_argument("name")
    cluster_dashboard.add_argument("--height", type=positive, default=600, help="pixels (default 600)")
    cluster_default = cluster_commands.add_parser("default", help="make a cluster the default target")
    cluster_default.add_argument("name", nargs="?")
    cluster_default.add_argument("--local", action="store_true", help="no default cluster: this machine")

    from .batch_parsing import add_batch  # its own file, beside its command's

    add_batch(commands, _Parser, _wait_flag, positive, _probability)

    from .schedules import add_parser as add_schedule_parser  # its own module, as its command is

    add_schedule_parser(commands)

    from .alerts import add_parser as add_alerts_parser  # its own module, as its command is

    add_alerts_parser(commands)
    from .resources import add_parser as add_resources_parser  # its own module, as its command is

    add_resources_parser(commands)
    from .tunings import add_parser as add_tunings_parser  # its own module, as its commands are

    add_tunings_parser(commands)
    return root


def split(line: str) -> List[str]:
    """The magic's line as arguments, the way a shell would split it; ``predict`` keeps its
    expression whole, since Python needs its quotes and spaces."""
    head = line.lstrip()
    if head.split(None, 1)[:1] == ["predict"]:
        return _split_predict(head)
    try:
        return shlex.split(line)
    except ValueError as error:  # an unclosed quote
        raise MagicError(f"%emkit: cannot read the line ({error})") from None


def _split_predict(line: str) -> List[str]:
    """``predict [--stage S] ENDPOINT [--stage S] EXPR…``: the options and the endpoint, then
    the rest of the line as it is."""
    words, endpoint = ["predict"], None
    rest = line.split(None, 1)[1] if len(line.split(None, 1)) > 1 else ""
    while rest.strip():
        word, _, after = rest.strip().partition(" ")
        if word == "--stage":
            value, _, after = after.strip().partition(" ")
            words += [word, value] if value else [word]
        elif word.startswith("--stage=") or word in ("-h", "--help"):
            words.append(word)
        elif endpoint is None:
            endpoint = word
        else:
            break
        rest = after
    words += [endpoint] if endpoint is not None else []
    # "--" ends the options: an expression like `-x` is not taken for one
    return words + (["--", rest.strip()] if endpoint is not None and rest.strip() else [])
