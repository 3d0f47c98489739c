"""emkit: the Python side of the emkit ML workbench.

``emkit.Client`` talks to the server-bridge; ``emkit.runner`` supervises trainings and
``emkit.tracking`` writes TensorBoard metrics from them; ``%load_ext emkit`` adds the
``%emkit`` magics (``emkit.magics``).

The names below are imported on first use (PEP 562): a training's supervisor and its
ranks import ``emkit.runner`` / ``emkit.tracking`` on the path to the user's first line,
and must not pay for the HTTP client.
"""

from __future__ import annotations

# public name -> the submodule that defines it
_LAZY = {
    "ApiError": "client",
    "Client": "client",
    "Connection": "config",
    "NoBridgeError": "config",
    "find_connection": "config",
}

__all__ = ["ApiError", "Client", "Connection", "NoBridgeError", "find_connection"]
__version__ = "0.1.0"

# Type checkers and editors see the names' types through this; at run time it is False and
# the names load on first use. (A plain False, not typing.TYPE_CHECKING: importing typing
# would cost the ranks what the lazy names save.)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from .client import ApiError, Client
    from .config import Connection, NoBridgeError, find_connection


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def load_ipython_extension(ipython) -> None:
    """``%load_ext emkit``: the ``%emkit`` magics (imported only now: IPython is not needed otherwise)."""
    from .magics import load_ipython_extension as load

    load(ipython)


def unload_ipython_extension(ipython) -> None:
    from .magics import unload_ipython_extension as unload

    unload(ipython)


def __dir__():
    return sorted(set(globals()) | set(__all__))
