"""``%emkit endpoint drift NAME [--stage S] [--windows N]``: a stage's data drift against its
reference, as the CLI's ``emkit endpoint drift``: the windows, then the newest judged window's
features, worst first (the magic's value)."""

from __future__ import annotations

from typing import Any, Dict, List

from .display import Table

ACTIONS = ("drift",)


def _figure(value: float) -> str:
    return f"{value:.3f}" if value == 0 or abs(value) >= 0.001 else f"{value:.1e}"


FEATURE_COLUMNS = [
    ("feature", "feature"),
    ("kind", "kind"),
    ("psi", lambda f: _figure(f["psi"])),
    ("test", "test"),
    ("statistic", lambda f: _figure(f["statistic"])),
    ("p-value", lambda f: _figure(f["pValue"])),
    ("drifted", lambda f: "yes" if f["drifted"] else ""),
]


def add_actions(endpoint_commands) -> None:
    drift = endpoint_commands.add_parser("drift", help="a stage's inputs' and predictions' drift, per window")
    drift.add_argument("name")
    drift.add_argument("--stage", help="this stage (default: the default stage)")
    drift.add_argument("--windows", type=int, metavar="N", help="how many windows, newest (default 24)")


def window_line(window: Dict[str, Any]) -> str:
    drifted = ", ".join(f["feature"] for f in window["features"] if f["drifted"]) or "none"
    if not window["judged"]:
        return f"{window['start']}  {window['count']} inputs, not judged (too few)"
    prediction = window["prediction"]
    said = (
        f"; prediction psi {_figure(prediction['psi'])}{' drifted' if prediction['drifted'] else ''}"
        if prediction
        else ""
    )
    return f"{window['start']}  {window['count']} inputs, drifted: {drifted}{said}"


def run(ctx, args) -> Any:
    drift = ctx.client.drift.get(args.name, stage=args.stage, windows=args.windows)
    reference = drift["reference"]
    if reference is None:
        print("no reference: the stage has no drift watch, or its model's training used no table and none was given")
    else:
        print(f"reference: {reference['source']} ({reference['rows']} rows; {', '.join(reference['columns'])})")
    for window in drift["windows"]:
        print(window_line(window))
    judged = [w for w in drift["windows"] if w["judged"]]
    if not judged:
        return None
    newest = judged[-1]
    rows: List[Dict[str, Any]] = newest["features"] + ([newest["prediction"]] if newest["prediction"] else [])
    return Table(rows, FEATURE_COLUMNS, f"drift of {args.name} ({newest['stage']}, from {newest['start']})")
