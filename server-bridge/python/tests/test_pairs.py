"""The key=value rule of ``%emkit``'s --hp, --dataset and --tag against the cases the
TypeScript rule (shared/src/workflows/pairs.ts) is tested with, so the two cannot drift."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict

import pytest

from emkit.magics.pairs import PairsError, add_pair

CASES_FILE = Path(__file__).resolve().parents[3] / "shared" / "src" / "workflows" / "pairs.cases.json"
CASES = json.loads(CASES_FILE.read_text(encoding="utf-8"))["cases"] if CASES_FILE.is_file() else []


@pytest.mark.skipif(not CASES, reason="shared/src/workflows/pairs.cases.json is absent (not a repository checkout)")
@pytest.mark.parametrize("case", CASES, ids=lambda case: f"{case['kind']}:{'|'.join(case['entries'])}")
def test_follows_the_shared_cases(case: Dict[str, Any]):
    def fold() -> Dict[str, str]:
        pairs: Dict[str, str] = {}
        for entry in case["entries"]:
            pairs = add_pair(pairs, entry, case["kind"])
        return pairs

    if "error" in case:
        with pytest.raises(PairsError) as raised:
            fold()
        assert str(raised.value) == case["error"]
    else:
        assert fold() == case["pairs"]
