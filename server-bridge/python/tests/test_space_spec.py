"""The search space's text against the cases the TypeScript side is tested with (space-spec.cases.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict

import pytest

from emkit.space_spec import (
    SpaceSpecError,
    format_parameter_spec,
    format_space,
    js_number,
    parse_parameter_spec,
    parse_space,
    parse_space_entry,
)

CASES_FILE = Path(__file__).resolve().parents[3] / "shared" / "src" / "tuning" / "space-spec.cases.json"
CASES = json.loads(CASES_FILE.read_text(encoding="utf-8"))["cases"] if CASES_FILE.is_file() else []
needs_cases = pytest.mark.skipif(
    not CASES, reason="shared/src/tuning/space-spec.cases.json is absent (not a repository checkout)"
)


def _typed(value: Any) -> Any:
    """JSON's values with their kind, so True is not taken for 1 (Python's bool is an int)."""
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return (type(value).__name__ if isinstance(value, (bool, str)) else "number", value)


@needs_cases
@pytest.mark.parametrize("case", CASES, ids=[c["text"] for c in CASES])
def test_follows_the_shared_cases(case: Dict[str, Any]):
    if "error" in case:
        with pytest.raises(SpaceSpecError) as caught:
            parse_space_entry(case["text"])
        assert str(caught.value) == case["error"]
        assert caught.value.field == case.get("field")
    else:
        key, spec = parse_space_entry(case["text"])
        assert key == case["key"]
        assert _typed(spec) == _typed(case["spec"])


@needs_cases
def test_reads_back_what_it_formats():
    for case in CASES:
        if "spec" in case:
            assert _typed(parse_parameter_spec(case["key"], format_parameter_spec(case["spec"]))) == _typed(
                case["spec"]
            )
    assert format_parameter_spec({"type": "choice", "values": ["adam", 2, True]}) == "choice:adam,2,true"
    assert format_parameter_spec({"type": "choice", "values": ["2", "a,b", " x"]}) == 'choice:["2","a,b"," x"]'
    assert format_parameter_spec({"type": "loguniform", "low": 1e-7, "high": 0.1}) == "loguniform:1e-7:0.1"


def test_writes_numbers_as_javascript_does():
    for value, text in [
        (1.0, "1"),
        (0.1, "0.1"),
        (1e-5, "0.00001"),
        (1e-7, "1e-7"),
        (1e21, "1e+21"),
        (-2.5, "-2.5"),
        (123456.0, "123456"),
        (1.5e-10, "1.5e-10"),
    ]:
        assert js_number(value) == text


def test_a_space_from_entries_or_a_dict():
    space = parse_space(["lr=loguniform:1e-4:1e-1", "depth=int:2:8", "opt=choice:adam,sgd"])
    assert format_space(space) == ["lr=loguniform:0.0001:0.1", "depth=int:2:8", "opt=choice:adam,sgd"]
    assert parse_space({"lr": "loguniform:1e-4:1e-1", "opt": {"type": "choice", "values": ["adam"]}})["opt"] == {
        "type": "choice",
        "values": ["adam"],
    }
    with pytest.raises(SpaceSpecError, match=r"space.lr is given twice"):
        parse_space(["lr=uniform:0:1", "lr=uniform:0:2"])
    with pytest.raises(SpaceSpecError, match="The space is empty"):
        parse_space([])
    with pytest.raises(SpaceSpecError, match=r"space.x: low \(2\) must be below high \(1\)"):
        parse_space({"x": {"type": "uniform", "low": 2, "high": 1}})
