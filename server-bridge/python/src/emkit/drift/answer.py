"""One request's answer, the same whether asked by a one-shot ``python -m emkit.drift MODE`` or
through the long-lived ``serve`` process: ``{"ok": true, ...}`` or ``{"ok": false, "status",
"message", "field"}``."""

from __future__ import annotations

import gc

MODES = {"window": "compute", "check": "check", "sample": "sample"}


def answer(mode: str, spec: object) -> dict:
    """What ``mode`` answers for ``spec``: a refusal (``DriftError``), missing numpy/scipy/pandas
    (503) and a spec that isn't one are answers too, never exceptions."""
    from . import DriftError

    if mode not in MODES:
        return {"ok": False, "status": 500, "message": f"not a drift mode: {mode}", "field": None}
    if not isinstance(spec, dict):
        return {"ok": False, "status": 500, "message": "the spec isn't a JSON object", "field": None}
    # a window builds a couple of million small objects (the parsed instances) that hold no
    # cycles: the cyclic collector walking them again and again costs a sixth of the window
    collecting = gc.isenabled()
    gc.disable()
    try:
        from . import window

        return getattr(window, MODES[mode])(spec)
    except DriftError as error:
        return {"ok": False, "status": error.status, "message": str(error), "field": error.field}
    except ImportError as error:
        return {
            "ok": False,
            "status": 503,
            "message": f"drift needs numpy, pandas and scipy in the bridge's Python ({error}): "
            "pip install numpy pandas scipy",
            "field": None,
        }
    finally:
        if collecting:
            gc.enable()
