"""``%emkit alerts [list|create|get|update|delete|events]``: the CLI's ``emkit alerts`` from a cell. Bare
``%emkit alerts`` shows the rules with their state and the recent events."""

from __future__ import annotations

from typing import Any, Dict

from .display import Record, Table, table_html, table_text
from .parsing import MagicError

SERIES = (
    "endpoint.errorRate",
    "endpoint.p99LatencyMs",
    "endpoint.requestsPerMinute",
    "endpoint.featureDrift",
    "endpoint.predictionDrift",
    "endpoint.accuracy",
    "worker.memoryMb",
    "worker.cpuPercent",
    "training.minutesSinceProgress",
    "training.nanLoss",
)
RECENT_EVENTS = 20


def _resource(rule: Dict[str, Any]) -> str:
    resource = rule.get("resource")
    if not resource:
        return "every running training"
    kind = "endpoint" if resource["kind"] == "endpoints" else "training"
    return f"{kind} {resource['name']}" + (f"/{rule['stage']}" if rule.get("stage") else "")


def _condition(rule: Dict[str, Any]) -> str:
    detail = f"[{rule['feature']}]" if rule.get("feature") else f"({rule['metric']})" if rule.get("metric") else ""
    return f"{rule['series']}{detail} {rule['op']} {rule['threshold']:g} for {rule['forSeconds']} s"


RULE_COLUMNS = [
    ("name", "name"),
    ("state", lambda r: r["state"] if r["enabled"] else f"{r['state']} (disabled)"),
    ("severity", "severity"),
    ("condition", _condition),
    ("resource", _resource),
    ("value", lambda r: "no data" if r.get("value") is None else r["value"]),
]
RULE_FIELDS = [
    ("state", lambda r: r["state"] if r["enabled"] else f"{r['state']} (disabled)"),
    ("condition", _condition),
    ("resource", _resource),
    ("severity", "severity"),
    ("value", "value"),
    ("read at", "evaluatedAt"),
    ("webhook", "webhook"),
    ("description", "description"),
]
EVENT_COLUMNS = [
    ("seq", "seq"),
    ("time", "time"),
    ("rule", "rule"),
    ("kind", "kind"),
    ("severity", "severity"),
    ("message", "message"),
    (
        "webhook",
        lambda e: (
            ""
            if not e.get("webhook")
            else e["webhook"]["state"] + (f": {e['webhook']['error']}" if e["webhook"].get("error") else "")
        ),
    ),
]


class Overview(dict):
    """The rules and the recent events, both as tables (a dict: ``rules``, ``events``)."""

    def _repr_html_(self) -> str:
        return table_html(self["rules"], RULE_COLUMNS, "alert rules") + table_html(
            self["events"], EVENT_COLUMNS, "recent alert events"
        )

    def _repr_pretty_(self, printer, cycle) -> None:
        rules = table_text(self["rules"], RULE_COLUMNS) if self["rules"] else "no alert rules"
        events = table_text(self["events"], EVENT_COLUMNS) if self["events"] else "no alert events"
        printer.text(f"{rules}\n\n{events}")


def add_parser(commands) -> None:
    """``alerts`` and its actions, on the root parser's subcommands."""
    from .parsing import _Parser

    alerts = commands.add_parser("alerts", help="alert rules and their firing / resolving events")
    actions = alerts.add_subparsers(dest="action", metavar="ACTION", parser_class=_Parser)
    actions.add_parser("list", help="the rules with their state, and the recent events (as bare %%emkit alerts)")
    create = actions.add_parser("create", help="create a rule: --series, --op, --threshold (and --resource)")
    create.add_argument("name")
    _rule_flags(create)
    update = actions.add_parser("update", help="change a rule (it starts again from OK)")
    update.add_argument("name")
    _rule_flags(update)
    state = update.add_mutually_exclusive_group()
    state.add_argument("--enable", action="store_true")
    state.add_argument("--disable", action="store_true")
    update.add_argument("--no-webhook", action="store_true", help="remove its webhook")
    for action, summary in (("get", "one rule"), ("delete", "delete a rule and its history")):
        actions.add_parser(action, help=summary).add_argument("name")
    events = actions.add_parser("events", help="rules firing and resolving, newest last")
    events.add_argument("--rule", metavar="NAME")
    events.add_argument("--kind", choices=["FIRING", "RESOLVED"])
    events.add_argument("--limit", type=int, default=100)


def _rule_flags(parser) -> None:
    parser.add_argument("--series", choices=SERIES)
    parser.add_argument("--resource", metavar="NAME", help="the endpoint or training (training series: default all)")
    parser.add_argument("--stage", metavar="NAME")
    parser.add_argument("--feature", metavar="NAME", help="endpoint.featureDrift: the input (default: the worst)")
    parser.add_argument("--metric", metavar="NAME", help="endpoint.accuracy: accuracy, f1, mae, rmse")
    parser.add_argument("--op", choices=[">", ">=", "<", "<="])
    parser.add_argument("--threshold", type=float)
    parser.add_argument("--for", dest="for_seconds", type=int, metavar="SECONDS", help="how long it must hold")
    parser.add_argument("--severity", choices=["info", "warning", "critical"])
    parser.add_argument("--webhook", metavar="URL", help="an http(s) URL that gets each event as a JSON POST")
    parser.add_argument("--description")


def _settings(args) -> Dict[str, Any]:
    names = {"for_seconds": "forSeconds"}
    keys = ("series", "resource", "stage", "feature", "metric", "op", "threshold", "for_seconds", "severity")
    settings = {names.get(k, k): getattr(args, k) for k in (*keys, "webhook", "description")}
    return {k: v for k, v in settings.items() if v is not None}


def alerts(ctx, args, cell):
    client = ctx.client.alerts
    if args.action in (None, "list"):
        return Overview(
            rules=Table(client.list(), RULE_COLUMNS), events=Table(client.events(limit=RECENT_EVENTS), EVENT_COLUMNS)
        )
    if args.action == "create":
        missing = [f"--{flag}" for flag in ("series", "op", "threshold") if getattr(args, flag) is None]
        if missing:
            raise MagicError(f"%emkit alerts create needs {', '.join(missing)}")
        settings = _settings(args)
        created = client.create(
            args.name,
            settings.pop("series"),
            settings.pop("op"),
            settings.pop("threshold"),
            **{_python_name(k): v for k, v in settings.items()},
        )
        return Record(created, RULE_FIELDS, f"alert rule {created['name']}")
    if args.action == "update":
        changes: Dict[str, Any] = _settings(args)
        if args.no_webhook:
            changes["webhook"] = None
        if args.enable or args.disable:
            changes["enabled"] = bool(args.enable)
        if not changes:
            raise MagicError("%emkit alerts update: say what changes")
        updated = client.update(args.name, **changes)
        return Record(updated, RULE_FIELDS, f"alert rule {updated['name']}")
    if args.action == "get":
        found = client.get(args.name)
        return Record(found, RULE_FIELDS, f"alert rule {found['name']}")
    if args.action == "events":
        return Table(client.events(rule=args.rule, kind=args.kind, limit=args.limit), EVENT_COLUMNS, "alert events")
    client.delete(args.name)
    print(f"alert rule {args.name} deleted")
    return None


def _python_name(key: str) -> str:
    return {"forSeconds": "for_seconds"}.get(key, key)
