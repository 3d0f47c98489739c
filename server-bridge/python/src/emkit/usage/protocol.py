"""The sidecar's pipes: one request line in, one answer line out.

stdin, one JSON object a line: ``{"sample": [{"key": "…", "pid": 123}, …]}`` asks for one round
over those processes (each with its children, but those asked for on their own: a batch job's
scoring workers are their own series, not counted again in their runner's). EOF on stdin ends the sidecar, so it never
outlives the bridge; the bridge keeps the clock (how often it asks).

stdout, one JSON object a line: first ``{"ready": true, "gpu": bool}`` (or ``{"error": "…"}`` and
exit 3 when psutil is missing), then one answer per request: ``{"time": ISO, "samples": [{"key",
"pid", "cpuPercent", "memoryMb", "threads", "openFiles", "gpuPercent", "gpuMemoryMb"}…],
"gone": [key…]}``, ``gone`` the processes asked for that no longer run. A line that isn't a
request is answered ``{"error": "…"}``.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timezone
from typing import Dict, List, Optional

EXIT_NO_PSUTIL = 3


def parse_request(line: str) -> Optional[Dict[str, int]]:
    """The processes a ``sample`` line names (key → pid); None for a line that isn't one."""
    try:
        message = json.loads(line)
    except ValueError:
        return None
    if not isinstance(message, dict) or not isinstance(message.get("sample"), list):
        return None
    targets: Dict[str, int] = {}
    for item in message["sample"]:
        if not isinstance(item, dict):
            continue
        key, pid = item.get("key"), item.get("pid")
        if isinstance(key, str) and isinstance(pid, int) and not isinstance(pid, bool) and pid > 0:
            targets[key] = pid
    return targets


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def sample_round(sampler, gpus, targets: Dict[str, int]) -> dict:
    """One round over the targets: their samples, and the keys of those that are gone."""
    from .sampler import wire_fields

    if gpus is not None:
        gpus.read()
    sampler.begin_round()
    samples: List[dict] = []
    gone: List[str] = []
    alive: List[int] = []
    own = set(targets.values())
    for key, pid in targets.items():
        tree = sampler.sample(pid, exclude=own)
        if tree is None:
            gone.append(key)
            continue
        alive.extend(tree.pids)
        sample = {"key": key, "pid": pid}
        sample.update(wire_fields(tree, gpus.of(tree.pids) if gpus is not None else None))
        samples.append(sample)
    sampler.forget_except(alive)
    return {"time": _now(), "samples": samples, "gone": gone}


def _say(message: dict) -> None:
    sys.stdout.write(json.dumps(message, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def main(argv: List[str]) -> int:
    argparse.ArgumentParser(prog="python -m emkit.usage", description=__doc__).parse_args(argv)
    try:
        from .sampler import Sampler
    except ImportError as error:
        _say({"error": f"psutil is not installed in {sys.executable} ({error}); pip install psutil there"})
        return EXIT_NO_PSUTIL
    from .gpu import Gpus

    gpus = Gpus.open()
    sampler = Sampler()
    _say({"ready": True, "gpu": gpus is not None})
    try:
        for line in sys.stdin:
            targets = parse_request(line)
            if targets is None:
                _say({"error": 'not a request: expected {"sample": [{"key": …, "pid": …}]}'})
                continue
            _say(sample_round(sampler, gpus, targets))
    except (BrokenPipeError, KeyboardInterrupt):
        pass
    finally:
        if gpus is not None:
            gpus.close()
    return 0
