"""A model served by Ray Serve: emkit's loaders in a Serve deployment.

The bridge PUTs a Serve application whose ``import_path`` is ``emkit.ray_serve:build``
and whose ``runtime_env.working_dir`` is a package it uploaded: the model's artifact under
``model/`` and this emkit package beside it, so the replicas need no shared filesystem and
no emkit of their own. Each replica loads the model once with the same loaders as a local
worker and answers ``POST <route prefix>/predict`` exactly as a local worker answers
``POST /predict`` (same body, same status codes), so the gateway treats both alike.
"""

from __future__ import annotations

import os

from ray import serve
from starlette.requests import Request
from starlette.responses import Response

from emkit.serving import loaders
from emkit.serving.routes import App


@serve.deployment(name="model")
class ModelDeployment:
    def __init__(self, framework: str, model_dir: str, name: str):
        # the working directory is the uploaded package: the artifact is under it
        path = model_dir if os.path.isabs(model_dir) else os.path.join(os.getcwd(), model_dir)
        model = loaders.load(framework, path)
        self.app = App(model.predict, framework, name, model)

    async def __call__(self, request: Request) -> Response:
        body = await request.body()
        status, payload, _headers = self.app.predict(request.method, body)
        return Response(content=payload, status_code=status, media_type="application/json")


def build(args: dict):
    """The application builder Serve calls with the config's ``args``."""
    return ModelDeployment.bind(str(args["framework"]), str(args.get("model_dir", "model")), str(args["name"]))
