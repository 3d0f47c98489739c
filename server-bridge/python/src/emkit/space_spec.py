"""A tuning's search space as text: ``lr=loguniform:1e-4:1e-1``, ``depth=int:2:8``, ``opt=choice:adam,sgd``.

The rule the CLI's ``--space``, the magics and the editors' Tune form follow; the TypeScript side is
``shared/src/tuning/space-spec.ts`` and both are tested against ``space-spec.cases.json``:

    uniform:low:high          a float, uniform
    loguniform:low:high       a float, uniform in log scale (low > 0)
    int:low:high[:step][:log] an integer (log: log scale, low >= 1, step 1)
    discrete:low:high:step    low, low + step, ... up to high
    choice:a,b,c              one of the values; numbers and true/false are typed, "quoted" stays text;
                              or a JSON array, ``choice:["1","a,b"]``, for values holding commas
"""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple, Union

MAX_HYPERPARAMETERS = 100
MAX_CHOICES = 1000
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,63}$")
_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_SHAPES = "uniform:low:high, loguniform:low:high, int:low:high[:step], discrete:low:high:step or choice:a,b,c"

ParameterValue = Union[str, int, float, bool]
ParameterSpec = Dict[str, Any]
SpaceInput = Union[Iterable[str], Mapping[str, Union[str, ParameterSpec]]]


class SpaceSpecError(ValueError):
    """A space entry that does not parse; ``field`` is ``space.<key>`` when one parameter is at fault."""

    def __init__(self, message: str, field: Optional[str] = None):
        super().__init__(message)
        self.field = field


def parse_space_entry(text: str) -> Tuple[str, ParameterSpec]:
    """``"lr=loguniform:1e-4:1e-1"`` -> ``("lr", {"type": "loguniform", "low": 0.0001, "high": 0.1})``."""
    trimmed = text.strip()
    if "=" not in trimmed:
        raise SpaceSpecError(f'"{trimmed}" is not key=type:…, e.g. lr=loguniform:1e-4:1e-1.')
    key, spec = trimmed.split("=", 1)
    key = key.strip()
    if not _KEY.match(key):
        raise SpaceSpecError(
            f'"{key}" is not a hyperparameter key (a letter or _, then letters, digits, _ or -; at most 64).'
        )
    return key, parse_parameter_spec(key, spec)


def parse_space(entries: SpaceInput) -> Dict[str, ParameterSpec]:
    """The space from ``["lr=loguniform:1e-4:1e-1", …]`` or ``{"lr": "loguniform:1e-4:1e-1", "opt":
    {"type": "choice", "values": ["adam"]}}`` (a dict spec is checked as it is); a key given twice is an error."""
    space: Dict[str, ParameterSpec] = {}
    if isinstance(entries, Mapping):
        for key, value in entries.items():
            if not _KEY.match(str(key)):
                raise SpaceSpecError(
                    f'"{key}" is not a hyperparameter key (a letter or _, then letters, digits, _ or -; at most 64).'
                )
            spec = parse_parameter_spec(key, value) if isinstance(value, str) else dict(value)
            if not isinstance(value, str):
                check_parameter_spec(key, spec)
            space[key] = spec
    else:
        for entry in entries:
            key, spec = parse_space_entry(entry)
            if key in space:
                raise SpaceSpecError(f"space.{key} is given twice.", f"space.{key}")
            space[key] = spec
    if not space:
        raise SpaceSpecError("The space is empty: give at least one key=type:…, e.g. lr=loguniform:1e-4:1e-1.", "space")
    if len(space) > MAX_HYPERPARAMETERS:
        raise SpaceSpecError(f"The space has {len(space)} parameters; at most {MAX_HYPERPARAMETERS}.", "space")
    return space


def parse_parameter_spec(key: str, text: str) -> ParameterSpec:
    """``"int:2:8"`` (the part after ``key=``) -> the parameter's spec, checked as the bridge checks it."""
    trimmed = text.strip()
    kind, colon, rest = trimmed.partition(":")
    kind = kind.strip()
    field = f"space.{key}"

    def fail(message: str) -> SpaceSpecError:
        return SpaceSpecError(f"space.{key}: {message}", field)

    def number(part: str) -> float:
        value = float(part) if _NUMBER.match(part) else math.nan
        if not math.isfinite(value):
            raise fail(f'"{part}" is not a number.')
        return int(value) if value.is_integer() and _INTEGER.match(part) else value

    def integer(part: str) -> int:
        if not _INTEGER.match(part) or abs(int(part)) > 2**53 - 1:
            raise fail(f'"{part}" is not a whole number.')
        return int(part)

    parts = [p.strip() for p in rest.split(":")]
    spec: ParameterSpec
    if kind in ("uniform", "loguniform") and len(parts) == 2:
        spec = {"type": kind, "low": number(parts[0]), "high": number(parts[1])}
    elif kind == "int" and 2 <= len(parts) <= 4:
        spec = {"type": kind, "low": integer(parts[0]), "high": integer(parts[1])}
        options = parts[2:]
        if options and options[-1] == "log":
            spec["log"] = True
            options.pop()
        if len(options) > 1:
            raise fail(f'"{trimmed}" is not {_SHAPES}.')
        if options:
            spec["step"] = integer(options[0])
    elif kind == "discrete" and len(parts) == 3:
        spec = {"type": kind, "low": number(parts[0]), "high": number(parts[1]), "step": number(parts[2])}
    elif kind == "choice" and colon:
        values = _parse_choices(rest.strip())
        if not values or len(values) > MAX_CHOICES:
            raise fail(f"a choice needs 1 to {MAX_CHOICES} values, each a text, a number or true/false.")
        spec = {"type": kind, "values": values}
    else:
        raise fail(f'"{trimmed}" is not {_SHAPES}.')
    check_parameter_spec(key, spec)
    return spec


def check_parameter_spec(key: str, spec: ParameterSpec) -> None:
    """Low below high, a log scale above 0, a positive step: what the bridge answers with a 400 naming
    ``space.<key>``."""
    field = f"space.{key}"
    if spec.get("type") == "choice":
        values = spec.get("values")
        if not isinstance(values, list) or not 1 <= len(values) <= MAX_CHOICES:
            raise SpaceSpecError(
                f"space.{key}: a choice needs 1 to {MAX_CHOICES} values, each a text, a number or true/false.", field
            )
        return
    low, high = spec.get("low"), spec.get("high")
    if not isinstance(low, (int, float)) or not isinstance(high, (int, float)):
        raise SpaceSpecError(f'space.{key}: "{spec}" is not {_SHAPES}.', field)
    if low >= high:
        raise SpaceSpecError(f"space.{key}: low ({js_number(low)}) must be below high ({js_number(high)}).", field)
    log = spec["type"] == "loguniform" or (spec["type"] == "int" and spec.get("log") is True)
    if log and low <= 0:
        raise SpaceSpecError(f"space.{key}: a log scale needs low above 0, not {js_number(low)}.", field)
    step = spec.get("step")
    if spec["type"] in ("int", "discrete") and step is not None and step <= 0:
        raise SpaceSpecError(f"space.{key}: the step must be above 0, not {js_number(step)}.", field)
    if spec["type"] == "int" and spec.get("log") is True and step not in (None, 1):
        raise SpaceSpecError(f"space.{key}: a log-scale int takes no step.", field)


def _parse_choices(text: str) -> Optional[List[ParameterValue]]:
    if text.startswith("["):
        try:
            values = json.loads(text)
        except ValueError:
            return None
        ok = isinstance(values, list) and all(isinstance(v, (str, int, float, bool)) for v in values)
        return values if ok else None
    values: List[ParameterValue] = []
    for raw in text.split(","):
        item = raw.strip()
        if not item:
            return None
        values.append(_choice_value(item))
    return values


def _choice_value(item: str) -> ParameterValue:
    if item in ("true", "false"):
        return item == "true"
    if _NUMBER.match(item) and math.isfinite(float(item)):
        value = float(item)
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    quoted = re.fullmatch(r'"(.*)"', item)
    return quoted.group(1) if quoted else item


def js_number(value: Union[int, float]) -> str:
    """A number as JavaScript's ``String(n)`` writes it (``1`` for 1.0, ``1e-7``, ``0.00001``), so both sides
    word their messages and format their specs alike."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if value == 0:
        return "0"
    sign, digit_tuple, exponent = Decimal(repr(float(value))).normalize().as_tuple()
    digits = "".join(map(str, digit_tuple))
    k = len(digits)
    n = int(exponent) + k
    head = "-" if sign else ""
    if k <= n <= 21:
        return head + digits + "0" * (n - k)
    if 0 < n <= 21:
        return head + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return head + "0." + "0" * (-n) + digits
    e = n - 1
    mantissa = digits[0] + ("." + digits[1:] if k > 1 else "")
    return f"{head}{mantissa}e{'+' if e > 0 else '-'}{abs(e)}"


def _plain_choice(value: ParameterValue) -> bool:
    if not isinstance(value, str):
        return True
    return (
        value != ""
        and value == value.strip()
        and not re.search(r'[,"]', value)
        and not value.startswith("[")
        and _choice_value(value) == value
        and isinstance(_choice_value(value), str)
    )


def format_parameter_spec(spec: ParameterSpec) -> str:
    """The spec as the text ``parse_parameter_spec`` reads back (without ``key=``)."""
    kind = spec["type"]
    if kind in ("uniform", "loguniform"):
        return f"{kind}:{js_number(spec['low'])}:{js_number(spec['high'])}"
    if kind == "int":
        step = spec.get("step")
        return (
            f"int:{spec['low']}:{spec['high']}"
            + (f":{step}" if step not in (None, 1) else "")
            + (":log" if spec.get("log") else "")
        )
    if kind == "discrete":
        return f"discrete:{js_number(spec['low'])}:{js_number(spec['high'])}:{js_number(spec['step'])}"
    values = spec["values"]
    if all(_plain_choice(v) for v in values):
        return "choice:" + ",".join(v if isinstance(v, str) else js_number(v) for v in values)
    return "choice:" + json.dumps(values, separators=(",", ":"), ensure_ascii=False)


def format_space(space: Mapping[str, ParameterSpec]) -> List[str]:
    """The space as ``key=type:…`` entries, one a ``--space``."""
    return [f"{key}={format_parameter_spec(spec)}" for key, spec in space.items()]
