"""One dataset version's scan: kind, format, schema, sha256, sizes and preview (see __init__)."""

from __future__ import annotations

import os
from collections import Counter
from typing import Dict, List

from . import DatasetRefused
from .files import Entry, Limits, fingerprint, list_files
from .hashing import content_sha256
from .samples import check_sample, class_of, preview_sample, sample_kind
from .tables import SCANNERS, TABLE_SUFFIXES

MAX_SKIPPED_LISTED = 100
DEFAULT_PREVIEW_ROWS = 100
DEFAULT_SAMPLES = 3


def scan(
    path: str, limits: Limits, preview_rows: int = DEFAULT_PREVIEW_ROWS, samples_per_class: int = DEFAULT_SAMPLES
) -> dict:
    files, skipped = list_files(path, limits)
    single = os.path.isfile(path) and not os.path.islink(path)
    if not files:
        left = f" ({len(skipped)} entries left out: {skipped[0]['file']}, {skipped[0]['reason']})" if skipped else ""
        raise DatasetRefused(f"{path} holds no files to make a dataset of{left}")
    schema: dict = {"rows": None, "columns": [], "classes": []}
    preview: dict = {"rows": [], "samples": []}
    if single:
        table_format = TABLE_SUFFIXES.get(os.path.splitext(path)[1].lower())
        if table_format:
            table = SCANNERS[table_format](files[0], preview_rows)
            schema.update(kind="table", format=table_format, rows=table["rows"], columns=table["columns"])
            preview["rows"] = table["preview"]
        else:
            schema.update(kind="files", format="files")
    else:
        classes = _class_names(path)
        at_root = [f for f in files if "/" not in f.relative]
        if classes and not at_root:
            schema.update(kind="class-folders", format="folder")
            schema["classes"], preview["samples"], unusable = _scan_classes(classes, files, samples_per_class)
            skipped.extend(unusable)
        else:
            schema.update(kind="files", format="files")
    schema["skipped"] = skipped[:MAX_SKIPPED_LISTED]
    schema["skippedCount"] = len(skipped)
    return {
        "kind": schema["kind"],
        "format": schema["format"],
        "schema": schema,
        "sha256": content_sha256(files, single),
        "bytes": sum(f.size for f in files),
        "files": len(files),
        "fingerprint": fingerprint(files),
        "preview": preview,
    }


def _class_names(path: str) -> List[str]:
    with os.scandir(path) as listing:
        return sorted(e.name for e in listing if not e.name.startswith(".") and e.is_dir(follow_symlinks=False))


def _scan_classes(names: List[str], files: List[Entry], samples_per_class: int):
    by_class: Dict[str, List[Entry]] = {name: [] for name in names}
    for entry in files:
        by_class[class_of(entry)[0]].append(entry)
    classes, samples, unusable = [], [], []
    for name in names:
        usable: List[Entry] = []
        kinds: Counter = Counter()
        for entry in by_class[name]:
            kind = sample_kind(entry.relative)
            reason = check_sample(entry, kind)
            if reason:
                unusable.append({"file": entry.relative, "reason": reason})
                continue
            usable.append(entry)
            kinds[kind] += 1
        sample_kind_of_class = kinds.most_common(1)[0][0] if kinds else "other"
        classes.append({"name": name, "count": len(usable), "sampleKind": sample_kind_of_class})
        shown = [preview_sample(e, sample_kind(e.relative)) for e in usable[:samples_per_class]]
        samples.append({"class": name, "samples": shown})
    return classes, samples, unusable


def check(path: str, limits: Limits, expected_fingerprint: str, expected_sha256: str) -> dict:
    """Has ``path`` changed since its version? Sizes and times first; the full hash only if those moved."""
    try:
        files, _ = list_files(path, limits)
    except FileNotFoundError:
        return {"same": False, "hashed": False, "sha256": None, "reason": f"{path} no longer exists"}
    if not files:
        return {"same": False, "hashed": False, "sha256": None, "reason": f"{path} holds no files any more"}
    if fingerprint(files) == expected_fingerprint:
        return {"same": True, "hashed": False, "sha256": expected_sha256}
    single = os.path.isfile(path) and not os.path.islink(path)
    sha256 = content_sha256(files, single)
    return {"same": sha256 == expected_sha256, "hashed": True, "sha256": sha256, "fingerprint": fingerprint(files)}
