"""Which notebook the kernel is running, for ``%emkit train`` with no path."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Dict

from .parsing import MagicError

ASK_FOR_THE_PATH = "give the notebook's path: %emkit train path/to/notebook.ipynb"


def current_notebook(user_ns: Dict[str, Any]) -> Path:
    """VS Code puts the notebook's path in ``__vsc_ipynb_file__``; Jupyter Server tells the
    kernel ``JPY_SESSION_NAME`` when it starts it (the path, or one relative to the kernel's
    folder, which is the notebook's)."""
    vscode = user_ns.get("__vsc_ipynb_file__")
    session = os.environ.get("JPY_SESSION_NAME")
    if vscode:
        candidates = [Path(vscode)]
    elif session:
        named = Path(session)
        candidates = [named, Path.cwd() / named, Path.cwd() / named.name]
    else:
        raise MagicError(
            f"this kernel doesn't know its notebook (not started by JupyterLab or VS Code): {ASK_FOR_THE_PATH}"
        )
    for candidate in candidates:
        if candidate.suffix == ".ipynb" and candidate.is_file():
            return candidate.resolve()
    raise MagicError(
        f"this kernel's notebook {candidates[0]} is not a saved .ipynb file: save it, or {ASK_FOR_THE_PATH}"
    )


def inside_training() -> bool:
    """A training's run has the contract's variables (the runner sets them for every rank)."""
    return bool(os.environ.get("EM_SOURCE_DIR"))
