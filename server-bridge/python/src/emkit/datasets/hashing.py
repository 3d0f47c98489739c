"""A dataset's sha256, as the evaluation runner hashes what it reads (emkit.evaluation.datasets)."""

from __future__ import annotations

import hashlib
from typing import List

from ..evaluation.datasets import folder_entry, stream_sha256
from .files import Entry, open_regular


def content_sha256(files: List[Entry], single_file: bool) -> str:
    """A file: its bytes' sha256. A folder: the sha256 of each file's relative path and sha256, in order."""
    if single_file:
        with open_regular(files[0]) as file:
            return stream_sha256(file)
    digest = hashlib.sha256()
    for entry in files:
        with open_regular(entry) as file:
            digest.update(folder_entry(entry.relative, stream_sha256(file)))
    return digest.hexdigest()
