"""``%emkit resources training|endpoint|batch NAME``: what the processes of a training, an
endpoint or a batch job use, as the bridge samples them — the CLI's ``emkit … resources``."""

from __future__ import annotations

from typing import Any, Dict, Optional

from .display import Table

KINDS = {"training": "trainings", "endpoint": "endpoints", "batch": "batch_inferences"}


def _mb(value: Optional[float]) -> str:
    return "" if value is None else f"{value:.1f} MB"


def _percent(value: Optional[float]) -> str:
    return "" if value is None else f"{value:.1f} %"


def _latest(process: Dict[str, Any], field: str) -> Any:
    samples = process["samples"]
    return samples[-1][field] if samples else None


COLUMNS = [
    ("process", "process"),
    ("stage", lambda p: p.get("stage") or ""),
    ("pid", "pid"),
    ("CPU", lambda p: _percent(_latest(p, "cpuPercent"))),
    ("memory", lambda p: _mb(_latest(p, "memoryMb"))),
    ("peak", lambda p: _mb(max((s["memoryMb"] for s in p["samples"]), default=None))),
    ("threads", lambda p: _latest(p, "threads")),
    ("open files", lambda p: _latest(p, "openFiles")),
    ("GPU", lambda p: _percent(_latest(p, "gpuPercent"))),
    ("GPU memory", lambda p: _mb(_latest(p, "gpuMemoryMb"))),
    ("samples", lambda p: len(p["samples"])),
]


def add_parser(commands) -> None:
    """``resources`` and its three kinds, on the root parser's subcommands."""
    from .parsing import _Parser, positive

    resources = commands.add_parser(
        "resources", help="CPU, memory, threads and open files of a training's, endpoint's or batch job's processes"
    )
    kinds = resources.add_subparsers(dest="action", metavar="KIND", parser_class=_Parser)
    kinds.required = True
    for kind, what in (
        ("training", "its ranks and its TensorBoard"),
        ("endpoint", "its stages' workers"),
        ("batch", "its runner, with its scoring workers"),
    ):
        parser = kinds.add_parser(kind, help=what)
        parser.add_argument("name")
        parser.add_argument("--minutes", type=positive, metavar="N", help="only the last N minutes")
        if kind == "endpoint":
            parser.add_argument("--stage", help="only this stage")


def resources(ctx, args, cell):
    group = getattr(ctx.client, KINDS[args.action])
    extra = {"stage": args.stage} if args.action == "endpoint" else {}
    usage = group.resources(args.name, minutes=args.minutes, **extra)
    summary = usage["summary"]
    if summary["peakMemoryMb"] is None:
        caption = f"{args.action} {args.name}: not sampled yet (every {usage['intervalSeconds']} s while it runs here)"
    else:
        caption = (
            f"{args.action} {args.name}: peak memory {_mb(summary['peakMemoryMb'])}, "
            f"mean CPU {_percent(summary['meanCpuPercent'])}"
        )
    columns = [c for c in COLUMNS if usage["gpu"] or not c[0].startswith("GPU")]
    if args.action != "endpoint":
        columns = [c for c in columns if c[0] != "stage"]
    return Table(usage["processes"], columns, caption)
