"""A training's quality, as the bridge reports it, and its early-stopping rule.

``parse_early_stop("val_loss:min:5")`` reads the rule as ``--early-stop`` takes it, by the rule the
TypeScript side follows (``shared/src/workflows/early-stop.ts``; both are tested against
``early-stop.cases.json``). ``quality_notes(training["quality"])`` says what the bridge found in the
training's metrics — overfitting, a plateau, NaN or infinite values, an early stop — in the words the
CLI and the editors use (``shared/src/quality/notes.ts``).
"""

from __future__ import annotations

import math
import re
from typing import Any, Dict, List, Optional, Union

MAX_PATIENCE = 100_000
_SHAPE = re.compile(r"^(.+):(min|max):([^:]+)(?::([^:]+))?$", re.DOTALL)
_METRIC = re.compile(r"^[^\x00-\x1f\x7f]{1,256}$")


class EarlyStopError(ValueError):
    """A rule that is not ``metric:min|max:patience[:minDelta]``."""


def parse_early_stop(text: str) -> Dict[str, Any]:
    """``"val_loss:min:5:0.01"`` → ``{"metric": "val_loss", "mode": "min", "patience": 5, "minDelta": 0.01}``."""
    trimmed = text.strip()
    match = _SHAPE.match(trimmed)
    if not match:
        raise EarlyStopError(f'"{trimmed}" is not metric:min|max:patience[:minDelta], e.g. val_loss:min:5.')
    metric, mode, patience_text, min_delta_text = match.groups()
    if not _METRIC.match(metric):
        raise EarlyStopError(f'Early stopping: "{metric}" is not a metric name (1 to 256 printable characters).')
    if not re.fullmatch(r"\d+", patience_text) or not 1 <= int(patience_text) <= MAX_PATIENCE:
        raise EarlyStopError(
            f'Early stopping: patience must be a whole number from 1 to {MAX_PATIENCE}, not "{patience_text}".'
        )
    rule: Dict[str, Any] = {"metric": metric, "mode": mode, "patience": int(patience_text)}
    if min_delta_text is not None:
        try:
            min_delta = float(min_delta_text) if re.fullmatch(r"[0-9.eE+-]+", min_delta_text) else math.nan
        except ValueError:
            min_delta = math.nan
        if not math.isfinite(min_delta) or min_delta < 0:
            raise EarlyStopError(f'Early stopping: minDelta must be a number of 0 or more, not "{min_delta_text}".')
        rule["minDelta"] = min_delta
    return rule


EarlyStopping = Union[str, Dict[str, Any]]


def early_stopping_body(value: EarlyStopping) -> Dict[str, Any]:
    """The rule as the bridge takes it, from ``"val_loss:min:5"`` or a dict (``min_delta`` or ``minDelta``)."""
    if isinstance(value, str):
        return parse_early_stop(value)
    rule = {key: item for key, item in value.items() if key not in ("min_delta", "minDelta")}
    min_delta = value.get("minDelta", value.get("min_delta"))
    if min_delta is not None:
        rule["minDelta"] = min_delta
    return rule


def format_early_stop(rule: Optional[Dict[str, Any]]) -> str:
    """The rule as ``--early-stop`` text; empty for none."""
    if not rule:
        return ""
    delta = rule.get("minDelta")
    return f"{rule['metric']}:{rule['mode']}:{rule['patience']}" + (f":{delta:g}" if delta else "")


def _short(value: float) -> str:
    return f"{value:.6g}"


def quality_notes(quality: Optional[Dict[str, Any]]) -> List[str]:
    """What the bridge found in a training's metrics, one sentence each: warnings first, the early stop last."""
    if not quality:
        return []
    notes = [f"{bad['tag']} is {bad['value']} at step {bad['step']}." for bad in quality.get("nonFinite") or []]
    over = quality.get("overfitting")
    if over:
        notes.append(
            f"Overfitting likely from step {over['fromStep']}: {over['validation']} has risen since "
            f"while {over['train']} kept falling."
        )
    flat = quality.get("plateau")
    if flat:
        notes.append(
            f"Underfitting likely: {flat['train']} and {flat['validation']} have been flat and high "
            f"since step {flat['fromStep']}."
        )
    early = quality.get("earlyStopped")
    if early:
        notes.append(
            f"Early stopped at step {early['step']}; best {early['metric']}={_short(early['best'])} "
            f"at step {early['bestStep']}."
        )
    return notes
