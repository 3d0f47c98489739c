"""Waiting with a live display: poll until settled, redrawing one output in place."""

from __future__ import annotations

import time
from typing import Any, Callable, Dict, Optional, Tuple

from .display import Live
from .parsing import MagicError

Render = Callable[[Dict[str, Any], float], Tuple[str, str]]


def watch(
    fetch: Callable[[], Dict[str, Any]],
    settled: Callable[[Dict[str, Any]], bool],
    render: Render,
    what: str,
    every: float = 0.5,
    timeout: Optional[float] = None,
) -> Dict[str, Any]:
    """Poll ``fetch`` until ``settled``; ``render(record, seconds waited)`` gives (html, text).

    Interrupting the kernel stops the waiting, not the thing waited for: the error line says so,
    and that it goes on (a Run All stops there, as it should).
    """
    live = Live()
    start = time.monotonic()
    record = fetch()
    try:
        while True:
            live.show(*render(record, time.monotonic() - start))
            if settled(record):
                return record
            if timeout is not None and time.monotonic() - start > timeout:
                raise MagicError(f"{what} is still {record.get('state')} after {timeout:g} s")
            time.sleep(every)
            record = fetch()
    except KeyboardInterrupt:
        raise MagicError(f"stopped waiting; {what} goes on ({record.get('state')})") from None
