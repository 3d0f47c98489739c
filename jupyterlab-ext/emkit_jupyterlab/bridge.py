"""Finding the emkit bridge from the Jupyter server's side.

The same order as the CLI and the Python client: EMKIT_URL with EMKIT_TOKEN, else the
runtime.json a running bridge writes into its home (EMKIT_HOME, default ~/.emkit). Read
again on every request, so a bridge started (or restarted on another port) after
JupyterLab is found without a reload.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional


@dataclass(frozen=True)
class BridgeInfo:
    url: Optional[str]
    token: Optional[str]
    # "environment", "runtime.json", or None when no bridge was found
    source: Optional[str]
    home: str


def emkit_home(environ: Mapping[str, str]) -> Path:
    home = environ.get("EMKIT_HOME")
    return Path(home).expanduser() if home else Path.home() / ".emkit"


def find_bridge(environ: Mapping[str, str] = os.environ) -> BridgeInfo:
    home = emkit_home(environ)
    url, token = environ.get("EMKIT_URL"), environ.get("EMKIT_TOKEN")
    if url and token:
        return BridgeInfo(url.rstrip("/"), token, "environment", str(home))
    try:
        runtime = json.loads((home / "runtime.json").read_text(encoding="utf-8"))
        if isinstance(runtime.get("url"), str) and isinstance(runtime.get("token"), str):
            return BridgeInfo(runtime["url"].rstrip("/"), runtime["token"], "runtime.json", str(home))
    except (OSError, ValueError):
        # no bridge has run for this home, or it is writing the file right now
        pass
    return BridgeInfo(None, None, None, str(home))
