"""emkit's no-code model types (issue 16): the six built-in recipes.

``catalog.json`` is generated from shared/src/recipes/builtins.ts (scripts/python-recipes.mjs):
each type's task, datasets and parameters with their defaults. A built-in training runs
``main(model_type)`` from a two-line train.py the bridge writes.

The harness, one job per module: ``parameters`` (argv against the catalog), ``context`` (the
EM_* variables, logging, curves), ``data`` (tables and class folders, with their errors),
``split`` (the holdout), ``model_dir`` (recipe.json, the generated predict.py), ``holdout``
(the evaluation in the training), ``serving`` (what predict.py calls). A type is a module of
``modeltypes`` (see there how one plugs in).
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from typing import Any, Dict, List, Optional

_CATALOG = os.path.join(os.path.dirname(__file__), "catalog.json")


def catalog() -> Dict[str, Any]:
    """Model type → ``{"task", "datasets", "parameters"}``, as the bridge has them."""
    with open(_CATALOG, encoding="utf-8") as file:
        return json.load(file)


def main(model_type: str, argv: Optional[List[str]] = None) -> int:
    """The entry of a built-in training: 0 when the model and its evaluation are written,
    2 for a bad parameter, 1 for data it can't train on (each with a one-line reason)."""
    from . import holdout, model_dir
    from .context import Context, RecipeError
    from .modeltypes import module
    from .parameters import ParameterError, parse

    types = catalog()
    if model_type not in types:
        print(f"[emkit] unknown model type {model_type!r}: use one of {', '.join(types)}", file=sys.stderr)
        return 2
    try:
        params = parse(model_type, types[model_type], sys.argv[1:] if argv is None else argv)
    except ParameterError as error:
        print(f"[emkit] {error}", file=sys.stderr, flush=True)
        return 2
    started = time.perf_counter()
    try:
        context = Context.from_environment(model_type, types[model_type]["task"], params)
        shown = ", ".join(f"{k}={v}" for k, v in params.items())
        context.log(f"{model_type} on {context.data_path} ({shown})")
        type_module = module(model_type)
        _seed(context.seed)
        trained = type_module.train(context)
        context.log(f"trained in {time.perf_counter() - started:.1f} s")
        model_dir.write(context, trained)
        holdout.evaluate(context, trained)
    except Exception as error:
        if not isinstance(error, RecipeError):  # not the data's fault: the traceback shows where
            traceback.print_exc()
        print(f"[emkit] {_line(error)}", file=sys.stderr, flush=True)
        return 1
    context.log(f"done in {time.perf_counter() - started:.1f} s")
    return 0


def _seed(seed: int) -> None:
    import random

    random.seed(seed)
    try:
        import numpy

        numpy.random.seed(seed)
    except ImportError:
        pass


def _line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
