"""The worker's routes, JSON in and out.

``POST /predict`` and KServe V1's ``POST /v1/models/{name}:predict`` take
``{"instances": [...]}`` and answer ``{"predictions": [...]}`` (with ``"return_scores":
true``, also the class probabilities, ``"scores"`` and ``"classes"``, where the model has them); ``GET /health`` (and
KServe's ``GET /v1/models/{name}``) say the model is loaded. An input the model can't
take is the client's mistake (400 ``validation``, with the framework's message), not the
worker's: it goes on serving whatever comes after.
"""

from __future__ import annotations

import json
import math
import os
import sys

from .http11 import error_body
from .loaders import first_line

KSERVE = "/v1/models/"
PREDICT = ":predict"
NO_HEADERS = b""


def _plain(value):
    """JSON for what a model returns besides lists: numpy arrays and scalars, tensors."""
    convert = getattr(value, "tolist", None)
    if convert is None:
        raise TypeError(f"a {type(value).__name__} isn't JSON-serialisable")
    return convert()


def _finite(value):
    """``value`` with NaN and infinities as None: JSON has no word for them, and the
    gateway's JSON.parse would refuse the whole answer."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    convert = getattr(value, "tolist", None)
    if convert is not None:
        value = convert()
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    return value


class App:
    """Answers ``(method, target, body)`` with ``(status, json_body, extra_header_lines)``."""

    def __init__(self, predict, framework: str, name: str, model=None):
        self.model_predict = predict
        self.model = model  # its scores, for a request with "return_scores": true
        self.framework = framework
        self.name = name
        self.pid = os.getpid()
        self.requests = 0  # prediction requests received, whatever came of them
        self.encode = json.JSONEncoder(separators=(",", ":"), allow_nan=False, default=_plain).encode

    def handle(self, method: str, target: str, body: bytes) -> tuple:
        path = target.partition("?")[0]
        if path == "/predict":
            return self.predict(method, body)
        if path == "/health":
            return self.health(method)
        if path.startswith(KSERVE):
            predict = path.endswith(PREDICT)
            name = path[len(KSERVE) : -len(PREDICT)] if predict else path[len(KSERVE) :]
            if "%" in name:
                from urllib.parse import unquote

                name = unquote(name)
            if name != self.name:
                return (
                    404,
                    error_body("not_found", f"no model {name!r} here: this worker serves {self.name!r}"),
                    NO_HEADERS,
                )
            return self.predict(method, body) if predict else self.metadata(method)
        return 404, error_body("not_found", f"no route {path[:200]}: use POST /predict or GET /health"), NO_HEADERS

    def predict(self, method: str, body: bytes) -> tuple:
        if method != "POST":
            return _not_allowed(method, "POST")
        self.requests += 1
        try:
            document = json.loads(body)
        except ValueError as error:  # UnicodeDecodeError is one too
            return 400, error_body("bad_request", f"the body isn't valid JSON: {first_line(error)}"), NO_HEADERS
        except RecursionError:  # the parser recurses once per level: a bomb of brackets, not a model input
            message = f"the body is nested too deeply (over about {sys.getrecursionlimit()} levels)"
            return 400, error_body("bad_request", message), NO_HEADERS
        if not isinstance(document, dict) or "instances" not in document:
            return 400, error_body("validation", 'the body must be a JSON object with an "instances" list'), NO_HEADERS
        instances = document["instances"]
        if not isinstance(instances, list):
            return 400, error_body("validation", f'"instances" must be a list, not {_json_kind(instances)}'), NO_HEADERS
        return_scores = document.get("return_scores")
        if return_scores is not None and return_scores is not False:
            return self.predict_scores(instances, return_scores)
        predictions = []
        if instances:
            try:
                predictions = self.model_predict(instances)
            except (ValueError, TypeError, RuntimeError) as error:
                return 400, error_body("validation", first_line(error)), NO_HEADERS
            except Exception as error:
                import traceback

                traceback.print_exc(file=sys.stderr)
                message = f"the model failed: {type(error).__name__}: {first_line(error)}"
                return 500, error_body("internal", message), NO_HEADERS
        try:
            try:
                text = self.encode({"predictions": predictions})
            except ValueError:  # NaN or an infinity somewhere (rare: kept off the fast path)
                text = self.encode({"predictions": _finite(predictions)})
        except (TypeError, ValueError, RecursionError) as error:
            message = f"the model's predictions aren't JSON-serialisable: {first_line(error)}"
            return 500, error_body("internal", message), NO_HEADERS
        return 200, text.encode("utf-8"), NO_HEADERS

    def predict_scores(self, instances: list, return_scores) -> tuple:
        """``{"predictions", "scores", "classes"}``: off the hot path, for the requests that ask."""
        if return_scores is not True:
            message = f'"return_scores" must be true or false, not {_json_kind(return_scores)}'
            return 400, error_body("validation", message), NO_HEADERS
        model = self.model
        if model is None or model.scores is None:
            message = model.no_scores if model is not None else "this worker gives no class scores"
            return 400, error_body("validation", message), NO_HEADERS
        predictions, scores, classes = [], [], model.classes
        if instances:
            try:
                predictions, scores, classes = model.scores(instances)
            except (ValueError, TypeError, RuntimeError) as error:  # NoScores is a ValueError
                return 400, error_body("validation", first_line(error)), NO_HEADERS
            except Exception as error:
                import traceback

                traceback.print_exc(file=sys.stderr)
                message = f"the model failed: {type(error).__name__}: {first_line(error)}"
                return 500, error_body("internal", message), NO_HEADERS
        document = {"predictions": predictions, "scores": scores, "classes": classes}
        try:
            text = self.encode(_finite(document))
        except (TypeError, ValueError, RecursionError) as error:
            message = f"the model's answer isn't JSON-serialisable: {first_line(error)}"
            return 500, error_body("internal", message), NO_HEADERS
        return 200, text.encode("utf-8"), NO_HEADERS

    def health(self, method: str) -> tuple:
        if method != "GET":
            return _not_allowed(method, "GET")
        document = {
            "status": "ok",
            "framework": self.framework,
            "model": self.name,
            "pid": self.pid,
            "requests": self.requests,
        }
        return 200, json.dumps(document).encode("utf-8"), NO_HEADERS

    def metadata(self, method: str) -> tuple:
        """KServe V1's model readiness: the worker only listens once the model is loaded."""
        if method != "GET":
            return _not_allowed(method, "GET")
        return 200, json.dumps({"name": self.name, "ready": True}).encode("utf-8"), NO_HEADERS


def _json_kind(value) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return "null"


def _not_allowed(method: str, allowed: str) -> tuple:
    message = f"{method[:20]} isn't allowed here: use {allowed}"
    return 405, error_body("method_not_allowed", message), f"Allow: {allowed}\r\n".encode("ascii")
