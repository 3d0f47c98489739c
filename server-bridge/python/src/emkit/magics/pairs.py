"""``key=value`` pairs — hyperparameters, datasets, tags — by the one rule every front end
follows (shared/src/workflows/pairs.ts in the TypeScript client; both are checked against
shared/src/workflows/pairs.cases.json):

- an entry splits at its first ``=``: the key before it, the value after it (which may hold more ``=``);
- the key must match the kind's pattern from the bridge's schemas (shared/src/schemas/trainings.ts);
- a value may be empty (``debug=``), except a dataset's, which is a path;
- a key given twice is refused rather than one of the two silently dropped.
"""

from __future__ import annotations

import re
from typing import Dict, Mapping

# the same patterns as shared/src/schemas/trainings.ts; re.fullmatch so "$" cannot end before a "\n"
_KEY_PATTERNS = {
    "hyperparameter": re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,63}$"),
    "dataset": re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,49}$"),
    "tag": re.compile(r"^[A-Za-z0-9_.:/-]{1,64}$"),
}

# the same words as PAIR_STRINGS in pairs.ts
_BAD_KEY = {
    "hyperparameter": '"{0}" is not a hyperparameter key: letters, digits, "_" and "-", '
    'starting with a letter or "_", at most 64.',
    "dataset": '"{0}" is not a dataset name: letters, digits and "_", starting with a letter or "_", at most 50.',
    "tag": '"{0}" is not a tag key: letters, digits and "_.:/-", at most 64.',
}
_NOT_A_PAIR = '"{0}" is not key=value.'
_NO_VALUE = '"{0}" needs a value after "=".'
_TWICE = '"{0}" is given twice.'

KINDS = tuple(_KEY_PATTERNS)


class PairsError(ValueError):
    """An entry the rule refuses; the message says why, in the words the CLI and editors use."""


def add_pair(pairs: Mapping[str, str], entry: str, kind: str) -> Dict[str, str]:
    """``pairs`` with ``entry`` added (a new dict); raises :class:`PairsError`."""
    key, sep, value = entry.partition("=")
    if not sep or not key:
        raise PairsError(_NOT_A_PAIR.format(entry))
    if not _KEY_PATTERNS[kind].fullmatch(key):
        raise PairsError(_BAD_KEY[kind].format(key))
    if kind == "dataset" and not value:
        raise PairsError(_NO_VALUE.format(key))
    if key in pairs:
        raise PairsError(_TWICE.format(key))
    return {**pairs, key: value}
