"""A built-in recipe's ``--key value`` arguments, read and checked against catalog.json.

The bridge passes every parameter (the catalog's defaults overlaid by the user's values); run by
hand, a missing one takes its default. A bad value is a ParameterError whose one line names the
parameter; ``main`` prints it and exits 2. A parameter whose default is null is required.
"""

from __future__ import annotations

import math
from typing import Any, Dict, List, Optional

TRUE = ("true", "1", "yes", "on")
FALSE = ("false", "0", "no", "off")


class ParameterError(ValueError):
    """An argument the recipe can't take; the message names the parameter."""


def parse(model_type: str, spec: Dict[str, Any], argv: List[str]) -> Dict[str, Any]:
    """``{name: typed value}`` for every parameter of ``spec`` (a catalog entry)."""
    declared = {p["name"]: p for p in spec["parameters"]}
    given = _pairs(argv, declared, model_type)
    values: Dict[str, Any] = {}
    for name, parameter in declared.items():
        raw = given.get(name, parameter.get("default"))
        if raw is None:
            raise ParameterError(f"--{name} is required: {parameter.get('description', name)}")
        values[name] = convert(parameter, raw)
    return values


def _pairs(argv: List[str], declared: dict, model_type: str) -> Dict[str, str]:
    pairs: Dict[str, str] = {}
    index = 0
    while index < len(argv):
        argument = argv[index]
        if not argument.startswith("--") or argument == "--":
            raise ParameterError(f"unexpected argument {argument!r}: give parameters as --name value")
        key, equals, value = argument[2:].partition("=")
        if not equals:
            if index + 1 >= len(argv):
                raise ParameterError(f"--{key} has no value")
            value = argv[index + 1]
            index += 1
        index += 1
        name = key.replace("-", "_")
        if name not in declared:
            names = ", ".join(declared)
            raise ParameterError(f"unknown parameter --{key}: the {model_type} recipe takes {names}")
        pairs[name] = value
    return pairs


def convert(parameter: dict, raw: str) -> Any:
    """The value of one parameter, typed as the catalog says, within its bounds."""
    name, kind, text = parameter["name"], parameter["type"], str(raw).strip()
    if kind == "integer":
        try:
            value: Any = int(text)
        except ValueError:
            raise ParameterError(f"--{name} must be a whole number, not {raw!r}") from None
        return _bounded(parameter, value)
    if kind == "number":
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise ParameterError(f"--{name} must be a number, not {raw!r}")
        return _bounded(parameter, value)
    if kind == "boolean":
        if text.lower() in TRUE:
            return True
        if text.lower() in FALSE:
            return False
        raise ParameterError(f"--{name} must be true or false, not {raw!r}")
    if kind == "choice":
        choices = parameter.get("choices") or []
        if text not in choices:
            raise ParameterError(f"--{name} must be one of {', '.join(choices)}, not {raw!r}")
        return text
    if kind == "columns":
        return [column.strip() for column in text.split(",") if column.strip()]
    return text  # string, column


def _bounded(parameter: dict, value):
    low: Optional[float] = parameter.get("minimum")
    high: Optional[float] = parameter.get("maximum")
    if (low is not None and value < low) or (high is not None and value > high):
        raise ParameterError(f"--{parameter['name']} must be from {low} to {high}, not {value}")
    return value
