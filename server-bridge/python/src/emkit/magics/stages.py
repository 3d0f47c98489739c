"""``%emkit endpoint settings|redeploy|deactivate|activate NAME STAGE``: what watches a stage,
and its lifecycle beside ``stage`` (add) and ``delete``."""

from __future__ import annotations

from typing import Any, Dict

from ..states import BUSY_STAGE_STATES
from .display import Record, elapsed, progress_html, progress_text
from .parsing import MagicError
from .waiting import watch

STAGE_ACTIONS = ("settings", "redeploy", "deactivate", "activate")


def _payload_logging(logging: Dict[str, Any]) -> str:
    if not logging.get("enabled"):
        return "off"
    redact = logging.get("redact") or []
    return f"on ({logging.get('sampleRate', 1) * 100:g} %" + (f", redacting {', '.join(redact)})" if redact else ")")


def _drift(drift: Any) -> str:
    if not drift:
        return "off"
    reference = drift.get("reference") or "its training's table"
    return f"every {drift.get('window', '1h')} against {reference}"


STAGE_FIELDS = [
    ("state", "state"),
    ("reason", "stateReason"),
    ("model", lambda s: f"{s['model']['name']}:{s['model']['version']}"),
    ("workers", lambda s: ", ".join(i["state"].lower() for i in s.get("instances", []))),
    ("memory limit", lambda s: "none" if s.get("memoryLimitMb") is None else f"{s['memoryLimitMb']} MB"),
    ("payload logging", lambda s: _payload_logging(s.get("payloadLogging") or {})),
    ("drift", lambda s: _drift(s.get("drift"))),
    ("id", "id"),
]


def stage_record(endpoint: str, stage: Dict[str, Any]) -> Record:
    return Record(stage, STAGE_FIELDS, f"stage {stage['name']} of {endpoint}")


def _changes(args, current: Dict[str, Any]) -> Dict[str, Any]:
    """The options given laid over the stage's settings (the API replaces each object whole)."""
    changes: Dict[str, Any] = {}
    if args.memory_limit is not None:
        changes["memory_limit_mb"] = None if args.memory_limit == "none" else args.memory_limit
    logging = {
        key: value
        for key, value in (("enabled", args.payload_logging), ("sampleRate", args.sample_rate), ("redact", args.redact))
        if value is not None
    }
    if logging:
        changes["payload_logging"] = {**current["payloadLogging"], **logging}
    drift = {key: value for key, value in (("window", args.drift_window), ("reference", args.drift_reference)) if value}
    if args.drift is False:
        changes["drift"] = None
    elif args.drift or drift:
        changes["drift"] = {**(current.get("drift") or {}), **drift}
    return changes


def run(ctx, args) -> Record:
    endpoints = ctx.client.endpoints
    name, stage = args.name, args.stage
    if args.action == "settings":
        changes = _changes(args, endpoints.get_stage(name, stage))
        if not changes:
            raise MagicError("%emkit endpoint settings: say what to change (see --help)")
        return stage_record(name, endpoints.update_stage(name, stage, **changes))
    if args.action == "deactivate":
        stopped = endpoints.deactivate_stage(name, stage)
        print(
            f"stage {stage} of {name} is INACTIVE: its routes answer 503 until "
            f"`%emkit endpoint activate {name} {stage}`"
        )
        return stage_record(name, stopped)
    started = (
        endpoints.redeploy_stage(name, stage) if args.action == "redeploy" else endpoints.activate_stage(name, stage)
    )
    if not args.wait:
        return stage_record(name, started)
    settled = watch(
        lambda: endpoints.get_stage(name, stage),
        lambda s: s["state"] not in BUSY_STAGE_STATES,
        lambda s, seconds: _progress(name, s, seconds),
        f"stage {stage} of {name}",
    )
    if settled["state"] != "ACTIVE":
        reason = (settled.get("stateReason") or "").strip()
        raise MagicError(
            f"stage {stage} of {name} is {settled['state']}" + (f": {reason.splitlines()[0]}" if reason else "")
        )
    return stage_record(name, settled)


def _progress(name: str, stage: Dict[str, Any], seconds: float):
    title, details, reason = f"stage {name}/{stage['name']}", [("waited", elapsed(seconds))], stage.get("stateReason")
    return progress_html(title, stage["state"], details, reason=reason), progress_text(
        title, stage["state"], details, reason
    )
