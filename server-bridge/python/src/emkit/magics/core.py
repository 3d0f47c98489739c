"""The ``%emkit`` / ``%%emkit`` magic: parse the line, run the command, and turn every
failure into one line (no argparse exit, no traceback of emkit's own)."""

from __future__ import annotations

from typing import Optional

from ..client import ApiError, Client
from . import (
    alerts,
    batch_inferences,
    clusters,
    datasets,
    evaluations,
    recipes,
    resources,
    schedules,
    serving,
    trainings,
    tunings,
    workbench,
)
from .parsing import HelpShown, MagicError, build, split

COMMANDS = {
    "status": workbench.status,
    "list": workbench.listing,
    "env": workbench.env,
    "train": trainings.train,
    "logs": trainings.logs,
    "stop": trainings.stop,
    "copy": trainings.copy,
    "model": serving.model,
    "promote": serving.promote,
    "evaluate": evaluations.evaluate,
    "endpoint": serving.endpoint,
    "predict": serving.predict,
    "tensorboard": workbench.tensorboard,
    "compare": workbench.compare,
    "cluster": clusters.cluster,
    "dataset": datasets.dataset,
    "recipe": recipes.recipe,
    "batch": batch_inferences.batch,
    "schedule": schedules.schedule,
    "alerts": alerts.alerts,
    "resources": resources.resources,
    "tune": tunings.tune,
    "tunings": tunings.tunings,
}
# what a cell body means to each command (and action); the others take no cell
CELL_COMMANDS = ("train", "predict", "model predict")


class Context:
    """What a command works with: the shell, and a client made on first use, so that a bridge
    started (or restarted on another port) after the extension was loaded is found."""

    def __init__(self, shell):
        self.shell = shell
        self._client: Optional[Client] = None

    @property
    def client(self) -> Client:
        if self._client is None:
            self._client = Client()
        return self._client


def run_magic(shell, line: str, cell: Optional[str] = None):
    """``%emkit LINE`` / ``%%emkit LINE`` + ``CELL``: the command's value, or one line of error."""
    try:
        return run(shell, line, cell)
    except HelpShown:
        return None
    except ApiError as error:
        raise MagicError(_one_line(str(error))) from None


def run(shell, line: str, cell: Optional[str] = None):
    args = build().parse_args(split(line))
    action = f"{args.command} {args.action}" if getattr(args, "action", None) else args.command
    if cell is not None and args.command not in CELL_COMMANDS and action not in CELL_COMMANDS:
        raise MagicError(f"%%emkit {action} takes no cell: use the line magic %emkit {action}")
    return COMMANDS[args.command](Context(shell), args, cell)


def _one_line(message: str) -> str:
    lines = [line for line in message.strip().splitlines() if line.strip()]
    return lines[0] + (" …" if len(lines) > 1 else "") if lines else "the bridge gave no reason"
