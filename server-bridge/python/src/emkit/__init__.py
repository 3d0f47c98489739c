"""emkit: the Python side of the emkit ML workbench.

``emkit.Client`` talks to the server-bridge; later modules (runner, tracking, serving
worker, IPython magics) build on it.
"""

from .client import ApiError, Client
from .config import Connection, NoBridgeError, find_connection

__all__ = ["ApiError", "Client", "Connection", "NoBridgeError", "find_connection"]
__version__ = "0.1.0"
