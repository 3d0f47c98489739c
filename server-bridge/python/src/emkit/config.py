"""Where the bridge is: EMKIT_URL/EMKIT_TOKEN, else runtime.json in the emkit home."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Union


@dataclass(frozen=True)
class Connection:
    url: str
    token: str


class NoBridgeError(RuntimeError):
    """No bridge could be found; the message says how to start one."""


def emkit_home() -> Path:
    return Path(os.environ.get("EMKIT_HOME") or Path.home() / ".emkit")


def find_connection(
    url: Optional[str] = None, token: Optional[str] = None, home: Optional[Union[str, os.PathLike]] = None
) -> Connection:
    url = url or os.environ.get("EMKIT_URL")
    token = token or os.environ.get("EMKIT_TOKEN")
    if url and token:
        return Connection(url.rstrip("/"), token)
    runtime_file = Path(home) / "runtime.json" if home else emkit_home() / "runtime.json"
    try:
        runtime = json.loads(runtime_file.read_text())
        url = url or runtime["url"]
        token = token or runtime["token"]
        if not isinstance(url, str) or not isinstance(token, str) or not url or not token:
            raise ValueError("runtime.json has no url or token")
    except (OSError, ValueError, KeyError, TypeError):
        # missing, unreadable, or half-written by something else: no usable bridge either way
        raise NoBridgeError(
            f"no emkit bridge is running for {runtime_file.parent} "
            "(start one with `emkit serve` or `npm start`, or set EMKIT_URL and EMKIT_TOKEN)"
        ) from None
    return Connection(url.rstrip("/"), token)
