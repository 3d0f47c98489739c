"""A model served by Ray Serve: emkit's loaders in a Serve deployment.

The bridge PUTs a Serve application whose ``import_path`` is ``emkit.ray_serve:build``
and whose ``runtime_env.working_dir`` is a package it uploaded: the model's artifact under
``model/`` and this emkit package beside it, so the replicas need no shared filesystem and
no emkit of their own. Each replica loads the model once with the same loaders as a local
worker and answers ``POST <route prefix>/predict`` exactly as a local worker answers
``POST /predict`` (same body, same status codes), so the gateway treats both alike.

The deployment's ``user_config`` (which Serve hands a running replica with no restart) says
where each replica pushes its resource usage (the bridge can't see the cluster's nodes), and
the stage's memory limit: a replica over it fails Serve's health check, and Serve replaces it.
"""

from __future__ import annotations

import os
import threading
from typing import Optional

from ray import serve
from starlette.requests import Request
from starlette.responses import Response

from emkit.serving import loaders
from emkit.serving.routes import App

MB = 1024 * 1024


@serve.deployment(name="model")
class ModelDeployment:
    def __init__(self, framework: str, model_dir: str, name: str):
        # the working directory is the uploaded package: the artifact is under it
        path = model_dir if os.path.isabs(model_dir) else os.path.join(os.getcwd(), model_dir)
        model = loaders.load(framework, path)
        self.app = App(model.predict, framework, name, model)
        self.memory_limit_mb: Optional[float] = None
        # Serve's first check is part of the start: one that fails it is a failed start, and after a few
        # the stage's application fails to deploy. A replica over the limit is replaced, as a local worker
        # is restarted, not the stage failed: so it is judged from its second check on
        self._started = False
        self._usage_config: Optional[dict] = None
        self._usage_stop: Optional[threading.Event] = None

    async def __call__(self, request: Request) -> Response:
        body = await request.body()
        status, payload, _headers = self.app.predict(request.method, body)
        return Response(content=payload, status_code=status, media_type="application/json")

    def reconfigure(self, config: dict) -> None:
        """The bridge's ``user_config``: ``{"memoryLimitMb": number | null, "usage": {"url", "token",
        "everySeconds"} | null}``; at the start, and again when the stage's settings change."""
        limit = config.get("memoryLimitMb")
        self.memory_limit_mb = float(limit) if limit else None
        usage = config.get("usage") or None
        if usage == self._usage_config:
            return
        if self._usage_stop is not None:
            self._usage_stop.set()
        self._usage_config, self._usage_stop = usage, None
        if usage and float(usage.get("everySeconds") or 0) > 0:
            self._usage_stop = threading.Event()
            replica = serve.get_replica_context().replica_id.unique_id
            threading.Thread(
                target=_push_usage, args=(usage, replica, self._usage_stop), name="emkit-usage", daemon=True
            ).start()

    def check_health(self) -> None:
        """Serve's periodic check: a replica over its stage's memory limit fails it, and Serve starts another."""
        if not self._started:
            self._started = True
            return
        if self.memory_limit_mb is None:
            return
        rss_mb = _tree_rss_mb()
        if rss_mb > self.memory_limit_mb:
            raise RuntimeError(
                f"the replica went over the stage's memory limit of {self.memory_limit_mb:g} MB (rss {rss_mb:.0f} MB)"
            )


def _tree_rss_mb() -> float:
    import psutil

    me = psutil.Process()
    total = me.memory_info().rss
    for child in me.children(recursive=True):
        try:
            total += child.memory_info().rss
        except psutil.Error:  # ended meanwhile
            continue
    return total / MB


def _push_usage(usage: dict, replica: str, stop: threading.Event) -> None:
    """This replica's process tree, sampled and pushed every ``everySeconds`` until ``stop``."""
    from emkit.runner.ray_push import Pusher
    from emkit.usage.pushed import PushedUsage

    every_s = float(usage["everySeconds"])
    pushed = PushedUsage(Pusher(str(usage["url"]), str(usage["token"])), replica, every_s)
    try:
        while True:
            pushed.tick(os.getpid())
            if stop.wait(every_s):
                return
    finally:
        pushed.close()


def build(args: dict):
    """The application builder Serve calls with the config's ``args``."""
    return ModelDeployment.bind(str(args["framework"]), str(args.get("model_dir", "model")), str(args["name"]))
