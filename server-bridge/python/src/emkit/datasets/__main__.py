"""``python -m emkit.datasets scan|check|unzip spec.json`` (see emkit.datasets)."""

from __future__ import annotations

import json
import os
import sys

from . import DatasetRefused
from .files import limits_of
from .scan import DEFAULT_PREVIEW_ROWS, DEFAULT_SAMPLES, check, scan
from .unzip import unzip

USAGE = "usage: python -m emkit.datasets scan|check|unzip spec.json"


def _write(path: str, answer: dict) -> None:
    part = f"{path}.part"
    with open(part, "w", encoding="utf-8") as out:
        json.dump(answer, out, ensure_ascii=False)
    os.replace(part, path)


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2 or args[0] not in ("scan", "check", "unzip"):
        print(USAGE, file=sys.stderr)
        return 2
    command, spec_path = args
    try:
        with open(spec_path, encoding="utf-8") as file:
            spec = json.load(file)
    except (OSError, ValueError) as error:
        print(f"can't read the spec {spec_path}: {error}", file=sys.stderr)
        return 2
    limits = limits_of(spec)
    try:
        if command == "scan":
            answer = scan(
                spec["path"],
                limits,
                int(spec.get("previewRows", DEFAULT_PREVIEW_ROWS)),
                int(spec.get("samplesPerClass", DEFAULT_SAMPLES)),
            )
            _write(spec["output"], answer)
        elif command == "check":
            answer = check(spec["path"], limits, spec["fingerprint"], spec["sha256"])
            print(json.dumps(answer))
        else:
            root = unzip(spec["archive"], spec["into"], limits, spec.get("stem", ""))
            print(json.dumps({"root": root}))
    except DatasetRefused as refused:
        print(json.dumps({"message": str(refused)}, ensure_ascii=False))
        return 3
    except PermissionError as error:
        print(json.dumps({"message": f"{error.filename or spec.get('path')} can't be read: permission denied"}))
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
