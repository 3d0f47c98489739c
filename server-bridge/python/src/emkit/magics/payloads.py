"""``%emkit endpoint payloads|feedback|quality``: the payload log of an endpoint's stages, the true
labels sent back for its predictions, and the rolling model quality they give (as the CLI's
``emkit endpoint payloads|feedback|quality``)."""

from __future__ import annotations

import json
from typing import Any, Dict, List

from .display import Table
from .parsing import MagicError

ACTIONS = ("payloads", "feedback", "quality")

_CELL = 60


def _cut(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    return text if len(text) <= _CELL else text[: _CELL - 1] + "…"


PAYLOAD_COLUMNS = [
    ("seq", "seq"),
    ("time", "time"),
    ("stage", "stage"),
    ("inference id", "inferenceId"),
    ("status", "status"),
    ("instances", lambda p: ("(cut) " if p["truncated"] else "") + _cut(p["instances"])),
    ("predictions", lambda p: "" if p["predictions"] is None else _cut(p["predictions"])),
]


def add_actions(endpoint_commands) -> None:
    """The three actions, on ``%emkit endpoint``'s subcommands."""
    payloads = endpoint_commands.add_parser("payloads", help="logged requests' instances and predictions, newest last")
    payloads.add_argument("name")
    payloads.add_argument("--stage", help="only this stage")
    payloads.add_argument("--inference-id", metavar="ID", help="only this request")
    payloads.add_argument("--since", metavar="TIME", help="only from this ISO time")
    payloads.add_argument("--until", metavar="TIME", help="only before this ISO time")
    payloads.add_argument("--limit", type=int, metavar="N", help="at most this many, the newest (default 200)")
    feedback = endpoint_commands.add_parser("feedback", help="the true label of a logged prediction")
    feedback.add_argument("name")
    feedback.add_argument("--inference-id", metavar="ID", required=True, help="the answer's x-inference-id")
    feedback.add_argument("--label", required=True, help='JSON when it parses (1, true, "1"), else the text')
    feedback.add_argument("--index", type=int, metavar="N", help="which instance of the request (default 0)")
    quality = endpoint_commands.add_parser("quality", help="rolling accuracy/F1 or MAE/RMSE beside the evaluation")
    quality.add_argument("name")
    quality.add_argument("--stage", help="only this stage")
    quality.add_argument("--window", metavar="WIDTH", help="30s, 10m, 1h (default), 1d")
    quality.add_argument("--windows", type=int, metavar="N", help="how many, newest (default 24)")


def label_value(text: str) -> Any:
    """A label as typed: JSON when it parses, else the text itself (``cat``)."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def quality_rows(quality: Dict[str, Any]) -> List[Dict[str, Any]]:
    """One row per window, its metrics as columns (the CLI's table)."""
    return [
        {"start": w["start"], "stage": w["stage"], "labels": w["count"], **w["metrics"]} for w in quality["windows"]
    ]


def run(ctx, args) -> Any:
    payloads = ctx.client.payloads
    if args.action == "payloads":
        rows = payloads.list(
            args.name,
            stage=args.stage,
            inference_id=args.inference_id,
            since=args.since,
            until=args.until,
            limit=args.limit,
        )
        return Table(rows, PAYLOAD_COLUMNS, f"payloads of {args.name}")
    if args.action == "feedback":
        if args.index is not None and args.index < 0:
            raise MagicError("%emkit endpoint feedback: --index is 0 or more")
        kept = payloads.feedback(args.name, args.inference_id, label_value(args.label), index=args.index)
        print(f"endpoint {args.name}: {kept} label(s) kept")
        return None
    quality = payloads.quality(args.name, stage=args.stage, window=args.window, windows=args.windows)
    names = ["mae", "rmse"] if quality["task"] == "regression" else ["accuracy", "f1"]
    baseline = quality["baseline"]
    if baseline:
        figures = ", ".join(f"{m} {baseline['metrics'][m]:.4f}" for m in names if m in baseline["metrics"])
        print(f"baseline: evaluation {baseline['evaluationId']}: {figures}")
    else:
        print("baseline: none (no COMPLETE evaluation of the model version)")
    print(f"task: {quality['task'] or 'unknown (no labels yet)'}; labels refused: {quality['unmatchedFeedback']}")
    columns = [("start", "start"), ("stage", "stage"), ("labels", "labels")] + [
        (m, lambda row, m=m: "" if row.get(m) is None else f"{row[m]:.4f}") for m in names
    ]
    return Table(quality_rows(quality), columns, f"model quality of {args.name}")
