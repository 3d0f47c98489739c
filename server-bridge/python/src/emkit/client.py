"""A small client for the bridge's management API, standard library only.

Resource groups mirror the API paths (``client.environments``, ``client.experiments``,
``client.evaluations``, ``client.batch_inferences``, ``client.endpoints``, ``client.clusters``); errors arrive as
:class:`ApiError` with the bridge's status, code and message. ``client.endpoints.predict``
calls a deployed model through the gateway; ``client.models.predict`` calls a version with
no endpoint (the quick test).
"""

from __future__ import annotations

import http.client
import json
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Dict, Iterator, List, Optional, Tuple

from .config import Connection, NoBridgeError, find_connection
from .quality import EarlyStopping, early_stopping_body
from .states import (
    BUSY_CLUSTER_STATES,
    BUSY_ENDPOINT_STATES,
    BUSY_ENVIRONMENT_STATES,
    BUSY_EVALUATION_STATES,
    BUSY_STAGE_STATES,
    BUSY_TENSORBOARD_STATES,
    SETTLED_TRAINING_STATES,
)


class ApiError(Exception):
    """The bridge refused or failed a call. ``status`` 0 means it wasn't reachable."""

    def __init__(self, status: int, code: str, message: str, field: Optional[str] = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


class Client:
    """``Client()`` finds the bridge itself; pass ``url`` and ``token`` to choose one."""

    def __init__(
        self, url: Optional[str] = None, token: Optional[str] = None, home: Optional[str] = None, timeout: float = 30.0
    ):
        try:
            self.connection: Connection = find_connection(url, token, home)
        except NoBridgeError as error:
            raise ApiError(0, "unreachable", str(error)) from None
        self.timeout = timeout
        # The bridge is reached directly: an http_proxy in the environment would otherwise
        # get every call to 127.0.0.1 (and the bearer token with it).
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        self.environments = _Environments(self)
        self.experiments = _Experiments(self)
        self.datasets = _Datasets(self)
        self.trainings = _Trainings(self)
        self.tensorboards = _Tensorboards(self)
        self.models = _Models(self)
        self.evaluations = _Evaluations(self)
        self.endpoints = _Endpoints(self)
        self.clusters = _Clusters(self)
        self.recipes = _Recipes(self)
        from .batch_client import BatchInferences  # its own module, which builds on this one

        self.batch_inferences = BatchInferences(self)
        from .schedules_client import Schedules  # its own module too

        self.schedules = Schedules(self)
        from .payloads_client import Payloads  # its own module too

        self.payloads = Payloads(self)
        from .alerts_client import Alerts  # its own module too

        self.alerts = Alerts(self)
        from .drift_client import Drift  # its own module too

        self.drift = Drift(self)
        from .tunings_client import Tunings  # its own module too

        self.tunings = Tunings(self)

    @property
    def url(self) -> str:
        return self.connection.url

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        query: Optional[Dict[str, Any]] = None,
        api_key: Optional[str] = None,
        content_type: Optional[str] = None,
        timeout: Optional[float] = None,
    ) -> Any:
        """One call; ``api_key`` (an endpoint's, for the inference routes) is sent instead of the token.

        ``body`` goes as JSON; with ``content_type``, it is bytes sent as they are (a file).
        """
        url = self.connection.url + path
        if query:
            url += "?" + urllib.parse.urlencode({k: v for k, v in query.items() if v is not None})
        data = None if body is None else body if content_type is not None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method)
        if api_key is not None:
            request.add_header("X-Api-Key", api_key)
        else:
            request.add_header("Authorization", f"Bearer {self.connection.token}")
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", content_type or "application/json")
        try:
            with self._opener.open(request, timeout=timeout or self.timeout) as response:
                raw = response.read()
                if "json" not in response.headers.get("Content-Type", "application/json"):
                    return raw  # a training's file, as it is
                text = raw.decode()
                return json.loads(text) if text else None
        except urllib.error.HTTPError as error:
            raw = error.read().decode(errors="replace")
            try:
                detail = json.loads(raw)["error"]
                raise ApiError(error.code, detail["code"], detail["message"], detail.get("field")) from None
            except (ValueError, KeyError, TypeError):
                raise ApiError(error.code, "internal", f"the bridge answered HTTP {error.code}") from None
        except urllib.error.URLError as error:
            raise ApiError(
                0, "unreachable", f"the emkit bridge at {self.connection.url} is not reachable ({error.reason})"
            ) from None
        except (OSError, http.client.HTTPException) as error:
            # a timeout, or the connection dropped mid-call (the bridge stopped or crashed)
            timed_out = isinstance(error, (socket.timeout, TimeoutError))
            reason = f"no answer within {self.timeout:g} s" if timed_out else (str(error) or type(error).__name__)
            raise ApiError(
                0, "unreachable", f"the emkit bridge at {self.connection.url} is not reachable ({reason})"
            ) from None

    def health(self) -> Dict[str, Any]:
        return self.request("GET", "/api/v1/health")

    def status(self) -> Dict[str, Any]:
        return self.request("GET", "/api/v1/status")

    def openapi(self) -> Dict[str, Any]:
        return self.request("GET", "/api/v1/openapi.json")

    def browser_ticket(self) -> str:
        """A one-time credential (a minute) for an address a browser opens, such as TensorBoard's:
        the address can end up in a notebook or a history, the token must not."""
        return self.request("POST", "/api/v1/browser-tickets")["ticket"]


def _place(body: Dict[str, Any], cluster: Optional[str], autoscaling: Optional[Tuple[int, int]]) -> None:
    """A stage's cluster and Ray Serve autoscaling bounds, when given."""
    if cluster is not None:
        body["cluster"] = cluster
    if autoscaling is not None:
        low, high = autoscaling
        body["autoscaling"] = {"minReplicas": low, "maxReplicas": high}


_DATASET_REF = re.compile(r"^[a-z0-9][a-z0-9_-]{0,49}(:[1-9][0-9]{0,8})?$")


def _dataset_value(value: str) -> str:
    """A path that exists here, made absolute (as before); anything else shaped like a dataset (``name``,
    ``name:3``) as it is: the bridge resolves and pins it."""
    import os

    if not os.path.exists(value) and _DATASET_REF.match(value):
        return value
    return os.path.abspath(value)


def _quote(key: str) -> str:
    return urllib.parse.quote(key, safe="")


class _Resource:
    path = ""

    def __init__(self, client: Client):
        self._client = client

    def list(self, limit: int = 1000, offset: int = 0) -> List[Dict[str, Any]]:
        return self._client.request("GET", self.path, query={"limit": limit, "offset": offset})["items"]

    def get(self, key: str) -> Dict[str, Any]:
        return self._client.request("GET", f"{self.path}/{_quote(key)}")

    def _wait_until(self, key: str, done, timeout: float, every: float, get=None) -> Dict[str, Any]:
        """Poll ``get`` (default: this group's) until ``done(resource)`` or the timeout; returns the last answer."""
        deadline = time.monotonic() + timeout
        while True:
            resource = (get or self.get)(key)
            if done(resource) or time.monotonic() > deadline:
                return resource
            time.sleep(every)

    def _patch(
        self, key: str, description: Optional[str], tags: Optional[Dict[str, str]], **more: Any
    ) -> Dict[str, Any]:
        """PATCH what was given (not None): the description, the tags, and ``more`` by their API names."""
        body: Dict[str, Any] = {k: v for k, v in more.items() if v is not None}
        if description is not None:
            body["description"] = description
        if tags is not None:
            body["tags"] = tags
        return self._client.request("PATCH", f"{self.path}/{_quote(key)}", body)

    def _read_log(self, path: str, query: Dict[str, Any]) -> str:
        """A whole log, chunk by chunk from byte offsets."""
        chunks, offset = [], 0
        while True:
            chunk = self._client.request("GET", path, query={**query, "offset": offset})
            chunks.append(chunk["text"])
            if not chunk["text"] or chunk["nextOffset"] >= chunk["size"]:
                return "".join(chunks)
            offset = chunk["nextOffset"]

    def _resources(self, key: str, query: Dict[str, Any]) -> Dict[str, Any]:
        """GET …/{key}/resources: the sampled CPU, memory, threads, open files (and GPU) of its processes."""
        return self._client.request("GET", f"{self.path}/{_quote(key)}/resources", query=query)


class _Environments(_Resource):
    path = "/api/v1/environments"

    def managers(self) -> Dict[str, Any]:
        """Which managers (venv, conda, ...) and Python versions the bridge's machine has."""
        return self._client.request("GET", "/api/v1/environment-managers")

    def create(
        self,
        name: str,
        manager: str = "venv",
        python: Optional[str] = None,
        packages: Optional[List[str]] = None,
        requirements: Optional[str] = None,
        description: Optional[str] = None,
        wait: bool = False,
        timeout: float = 900,
    ) -> Dict[str, Any]:
        body: Dict[str, Any] = {"name": name, "manager": manager, "packages": packages or []}
        for key, value in (("python", python), ("requirements", requirements), ("description", description)):
            if value is not None:
                body[key] = value
        environment = self._client.request("POST", self.path, body)
        return self.wait(environment["id"], timeout) if wait else environment

    def wait(self, key: str, timeout: float = 900) -> Dict[str, Any]:
        """Poll until creation ends; returns the environment (ACTIVE or CREATE FAILED)."""
        return self._wait_until(key, lambda e: e["state"] not in BUSY_ENVIRONMENT_STATES, timeout, 0.5)

    def log(self, key: str) -> str:
        return self._read_log(f"{self.path}/{_quote(key)}/log", {})

    def delete(self, key: str) -> Dict[str, Any]:
        return self._client.request("DELETE", f"{self.path}/{_quote(key)}")


class _Experiments(_Resource):
    path = "/api/v1/experiments"

    def create(self, name: str, description: str = "") -> Dict[str, Any]:
        return self._client.request("POST", self.path, {"name": name, "description": description})

    def update(self, key: str, description: str) -> Dict[str, Any]:
        return self._client.request("PATCH", f"{self.path}/{_quote(key)}", {"description": description})

    def delete(self, key: str) -> None:
        self._client.request("DELETE", f"{self.path}/{_quote(key)}")

    def compare(self, key: str) -> Dict[str, Any]:
        """Each training of the experiment: its hyperparameters and the last and best value of every metric."""
        return self._client.request("GET", f"{self.path}/{_quote(key)}/comparison")


_KEEP = object()  # copy(): an early_stopping left out keeps the training's rule


class _Datasets(_Resource):
    """Named, versioned data: ``create`` (a path the bridge can read), ``upload`` (a file or folder from here)."""

    path = "/api/v1/datasets"
    # a dataset is copied and scanned while the call waits: longer than other calls
    SCAN_TIMEOUT = 600.0

    def create(self, name: str, path: str, reference: bool = False, description: str = "") -> Dict[str, Any]:
        """``reference``: read ``path`` in place (a change then needs :meth:`version`); else copied in."""
        import os

        body = {"name": name, "path": os.path.abspath(path), "mode": "reference" if reference else "copy"}
        if description:
            body["description"] = description
        return self._client.request("POST", self.path, body, timeout=self.SCAN_TIMEOUT)

    def upload(self, name: str, path: str, description: str = "") -> Dict[str, Any]:
        """A file sent as it is, or a folder zipped here (regular files and folders only, no hidden ones)."""
        import mimetypes
        import os

        if os.path.isdir(path):
            data, filename, content_type = (
                _zip_folder(path),
                os.path.basename(os.path.abspath(path)) + ".zip",
                "application/zip",
            )
        else:
            with open(path, "rb") as file:
                data = file.read()
            filename = os.path.basename(path)
            content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        query = {"name": name, "filename": filename, "description": description or None}
        return self._client.request(
            "POST", f"{self.path}/upload", data, query=query, content_type=content_type, timeout=self.SCAN_TIMEOUT
        )

    def preview(self, ref: str, rows: int = 20) -> Dict[str, Any]:
        """``ref``: ``name`` or ``name:version``; a table's first rows, or each class's count and samples."""
        return self._client.request("GET", f"{self.path}/{_quote(ref)}/preview", query={"rows": rows})

    def versions(self, key: str) -> List[Dict[str, Any]]:
        return self._client.request("GET", f"{self.path}/{_quote(key)}/versions", query={"limit": 1000})["items"]

    def version(self, key: str) -> Dict[str, Any]:
        """Read the source again: a new version if the content changed, else the newest as it is."""
        return self._client.request("POST", f"{self.path}/{_quote(key)}/versions", timeout=self.SCAN_TIMEOUT)

    def update(self, key: str, description: str) -> Dict[str, Any]:
        return self._patch(key, description, None)

    def delete(self, key: str) -> None:
        self._client.request("DELETE", f"{self.path}/{_quote(key)}")


def _zip_folder(root: str) -> bytes:
    """A folder as zip bytes: its regular files and folders (empty class folders too), paths relative to it."""
    import io
    import os
    import stat
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
        for folder, dirs, names in os.walk(root):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not os.path.islink(os.path.join(folder, d)))
            relative = os.path.relpath(folder, root)
            if relative != ".":
                bundle.writestr(relative.replace(os.sep, "/") + "/", b"")
            for name in sorted(names):
                path = os.path.join(folder, name)
                if name.startswith(".") or not stat.S_ISREG(os.lstat(path).st_mode):
                    continue  # links, FIFOs and devices stay out, as the bridge's scanner leaves them out
                bundle.write(path, os.path.relpath(path, root).replace(os.sep, "/"))
    return out.getvalue()


class _Trainings(_Resource):
    path = "/api/v1/trainings"

    def list(
        self, limit: int = 1000, offset: int = 0, experiment: Optional[str] = None, state: Optional[str] = None
    ) -> List[Dict[str, Any]]:
        query = {"limit": limit, "offset": offset, "experiment": experiment, "state": state}
        return self._client.request("GET", self.path, query=query)["items"]

    def create(
        self,
        source: str,
        entry_point: Optional[str] = None,
        name: Optional[str] = None,
        hyperparameters: Optional[Dict[str, Any]] = None,
        datasets: Optional[Dict[str, str]] = None,
        environment: Optional[str] = None,
        experiment: Optional[str] = None,
        instance_count: int = 1,
        max_duration_seconds: Optional[int] = None,
        tags: Optional[Dict[str, str]] = None,
        description: Optional[str] = None,
        early_stopping: Optional[EarlyStopping] = None,
        cluster: Optional[str] = None,
        placement_strategy: Optional[str] = None,
        max_retries: Optional[int] = None,
        wait: bool = False,
        timeout: float = 86400,
    ) -> Dict[str, Any]:
        """Submit a notebook, a script, or a folder with ``entry_point``; paths are made absolute here.

        ``datasets={"train": "digits"}`` names a dataset (``name`` or ``name:3``) instead of a path: the
        record keeps it pinned (``digits:3``) and the training gets its path in ``EM_DATASET_TRAIN``.

        ``cluster="NAME"`` runs it on that Ray cluster (left out: the default cluster, if one is set, else
        this machine); ``placement_strategy="STRICT_SPREAD"`` puts each rank on a node of its own;
        ``max_retries=N`` starts it again, up to N times, when a node of it is lost (default 0: it fails).

        ``early_stopping="val_loss:min:5"`` (or ``{"metric": "val_loss", "mode": "min", "patience": 5,
        "min_delta": 0.01}``): the bridge ends the training, COMPLETE, once the metric has not improved
        for ``patience`` points.
        """
        import os

        body: Dict[str, Any] = {
            "source": {"path": os.path.abspath(source), **({"entryPoint": entry_point} if entry_point else {})},
            "hyperparameters": {str(k): str(v) for k, v in (hyperparameters or {}).items()},
            "datasets": {k: _dataset_value(v) for k, v in (datasets or {}).items()},
            "instanceCount": instance_count,
            "tags": tags or {},
        }
        for key, value in (
            ("name", name),
            ("environment", environment),
            ("experiment", experiment),
            ("maxDurationSeconds", max_duration_seconds),
            ("description", description),
            ("cluster", cluster),
            ("placementStrategy", placement_strategy),
            ("maxRetries", max_retries),
        ):
            if value is not None:
                body[key] = value
        if early_stopping is not None:
            body["earlyStopping"] = early_stopping_body(early_stopping)
        training = self._client.request("POST", self.path, body)
        return self.wait(training["id"], timeout) if wait else training

    def wait(self, key: str, timeout: float = 86400) -> Dict[str, Any]:
        """Poll until the training has ended; returns it (COMPLETE, FAIL TRAIN, STOPPED or CREATE FAILED)."""
        return self._wait_until(key, lambda t: t["state"] in SETTLED_TRAINING_STATES, timeout, 0.3)

    def update(
        self, key: str, description: Optional[str] = None, tags: Optional[Dict[str, str]] = None
    ) -> Dict[str, Any]:
        return self._patch(key, description, tags)

    def stop(self, key: str) -> Dict[str, Any]:
        return self._client.request("POST", f"{self.path}/{_quote(key)}/stop")

    def copy(self, key: str, **overrides: Any) -> Dict[str, Any]:
        """Run again with the same settings and source; ``hyperparameters=…``, ``name=…`` etc. replace them.

        ``early_stopping=`` a rule replaces the training's, ``early_stopping=None`` runs the copy without one;
        left out, the copy keeps it. ``cluster="NAME"`` runs the copy on that Ray cluster, ``cluster="local"``
        on this machine; left out, where the original ran.
        """
        names = {
            "instance_count": "instanceCount",
            "max_duration_seconds": "maxDurationSeconds",
            "placement_strategy": "placementStrategy",
            "max_retries": "maxRetries",
        }
        early = overrides.pop("early_stopping", _KEEP)
        body = {names.get(k, k): v for k, v in overrides.items() if v is not None}
        if early is not _KEEP:
            body["earlyStopping"] = None if early is None else early_stopping_body(early)
        if body.get("cluster") == "local":
            body["cluster"] = None
        return self._client.request("POST", f"{self.path}/{_quote(key)}/copy", body)

    def delete(self, key: str) -> None:
        self._client.request("DELETE", f"{self.path}/{_quote(key)}")

    def log(self, key: str, rank: int = 0) -> str:
        return self._read_log(f"{self.path}/{_quote(key)}/log", {"rank": rank})

    def log_since(self, key: str, offset: int = 0, rank: int = 0) -> Tuple[str, int]:
        """The log from byte ``offset`` on, as far as one answer goes: ``(text, next offset)``."""
        chunk = self._client.request("GET", f"{self.path}/{_quote(key)}/log", query={"rank": rank, "offset": offset})
        return chunk["text"], chunk["nextOffset"]

    def follow(self, key: str, rank: int = 0, every: float = 0.5) -> Iterator[str]:
        """The log as it grows, chunk by chunk, until the training has ended and all of it is read."""
        offset = 0
        while True:
            # the state before the read: text written just before the end still comes after it
            ended = self.get(key)["state"] in SETTLED_TRAINING_STATES
            text, offset = self.log_since(key, offset, rank)
            if text:
                yield text
            elif ended:
                return
            else:
                time.sleep(every)

    def metrics(
        self, key: str, tag: Optional[str] = None, max_points: Optional[int] = None
    ) -> Dict[str, List[Dict[str, Any]]]:
        """Series per tag: ``{"loss": [{"step": 0, "value": 0.9, "wallTime": …}, …]}``."""
        answer = self._client.request(
            "GET", f"{self.path}/{_quote(key)}/metrics", query={"tag": tag, "maxPoints": max_points}
        )
        return {series["tag"]: series["points"] for series in answer.get("series", [])}

    def quality(self, key: str) -> Dict[str, Any]:
        """What the training's metrics say: ``{"pairs", "overfitting", "plateau", "nonFinite", "earlyStopped"}``
        (``emkit.quality.quality_notes`` puts it in sentences)."""
        answer = self._client.request("GET", f"{self.path}/{_quote(key)}/metrics", query={"maxPoints": 2})
        return answer.get("quality") or {}

    def files(self, key: str) -> List[Dict[str, Any]]:
        return self._client.request("GET", f"{self.path}/{_quote(key)}/files").get("items", [])

    def file(self, key: str, path: str) -> Any:
        """One file the training wrote (``artifacts/train.ipynb``): parsed JSON for JSON, else bytes."""
        return self._client.request("GET", f"{self.path}/{_quote(key)}/file", query={"path": path})

    def resources(self, key: str, minutes: Optional[int] = None, points: Optional[int] = None) -> Dict[str, Any]:
        """Its ranks' and TensorBoard's CPU %, memory (MB), threads and open files (GPU where there is one),
        sampled every few seconds: ``{"processes": [{"process": "rank 0", "samples": […]}, …], "summary":
        {"peakMemoryMb", "meanCpuPercent"}, …}``; the last ``minutes``, at most ``points`` samples a process."""
        return self._resources(key, {"minutes": minutes, "points": points})


class _Tensorboards(_Resource):
    path = "/api/v1/tensorboards"

    def create(self, training: Optional[str] = None, experiment: Optional[str] = None) -> Dict[str, Any]:
        """Start TensorBoard (or get the running one) for a training or an experiment."""
        body = {"training": training} if training is not None else {"experiment": experiment}
        return self._client.request("POST", self.path, body)

    def wait(self, key: str, timeout: float = 120) -> Dict[str, Any]:
        """Poll until it has started (RUNNING) or failed to; returns it."""
        return self._wait_until(key, lambda t: t["state"] not in BUSY_TENSORBOARD_STATES, timeout, 0.3)

    def url(self, key: str) -> str:
        """The address to open in a browser, once: its one-time ticket gets the browser a session
        cookie, and the address without it works from then on."""
        ticket = self._client.browser_ticket()
        return f"{self._client.url}/tensorboard/{_quote(key)}/?ticket={_quote(ticket)}"

    def delete(self, key: str) -> None:
        self._client.request("DELETE", f"{self.path}/{_quote(key)}")


class _Models(_Resource):
    """Model versions; ``key`` is the id, a name (its newest version), ``name:3`` or ``name@production``."""

    path = "/api/v1/models"

    def list(self, limit: int = 1000, offset: int = 0, name: Optional[str] = None) -> List[Dict[str, Any]]:
        return self._client.request("GET", self.path, query={"limit": limit, "offset": offset, "name": name})["items"]

    def create(
        self,
        name: str,
        training: Optional[str] = None,
        artifact_path: Optional[str] = None,
        framework: Optional[str] = None,
        framework_version: Optional[str] = None,
        aliases: Optional[List[str]] = None,
        tags: Optional[Dict[str, str]] = None,
        description: Optional[str] = None,
    ) -> Dict[str, Any]:
        """The next version of ``name``, from a COMPLETE training or an artifact file or folder."""
        import os

        body: Dict[str, Any] = {"name": name, "aliases": aliases or [], "tags": tags or {}}
        for key, value in (
            ("training", training),
            ("framework", framework),
            ("frameworkVersion", framework_version),
            ("description", description),
        ):
            if value is not None:
                body[key] = value
        if artifact_path is not None:
            body["artifactPath"] = os.path.abspath(artifact_path)
        return self._client.request("POST", self.path, body)

    def update(
        self, key: str, description: Optional[str] = None, tags: Optional[Dict[str, str]] = None
    ) -> Dict[str, Any]:
        return self._patch(key, description, tags)

    def activate(self, key: str) -> Dict[str, Any]:
        """Reactivate a version (state ACTIVE): it can be deployed, quick-tested and evaluated again.

        Refused (409) past the bridge's ``--max-active-models``, naming the versions to deactivate.
        """
        return self._patch(key, None, None, active=True)

    def deactivate(self, key: str) -> Dict[str, Any]:
        """Deactivate a version (state INACTIVE): refused deployment, quick tests and evaluations until reactivated.

        Refused (409) while a stage serves it: delete that stage (or its endpoint) first.
        """
        return self._patch(key, None, None, active=False)

    def promote(self, key: str, alias: str) -> Dict[str, Any]:
        """Point ``alias`` at this version; the version that had it loses it."""
        return self._client.request("POST", f"{self.path}/{_quote(key)}/promote", {"alias": alias})

    def predict(self, key: str, instances: Any, return_scores: bool = False) -> Dict[str, Any]:
        """Quick test: call this version with no endpoint (lists or NumPy arrays).

        Returns ``{"predictions", "warm", "milliseconds"}``, with ``"scores"`` and ``"classes"``
        when ``return_scores`` (the model must give probabilities). The first call starts the
        version's worker (``warm`` is false); it stays warm a few minutes for the next ones.
        """
        body: Dict[str, Any] = {"instances": _as_instances(instances)}
        if return_scores:
            body["return_scores"] = True
        return self._client.request("POST", f"{self.path}/{_quote(key)}/predict", body)

    def predict_file(
        self,
        key: str,
        path: Optional[str] = None,
        data: Optional[bytes] = None,
        content_type: Optional[str] = None,
        filename: Optional[str] = None,
        return_scores: bool = False,
    ) -> Dict[str, Any]:
        """Quick test with a file (image, audio, text), from ``path`` or as ``data``.

        The model gets one instance ``{"b64", "filename", "contentType"}``; the media type
        is told from the file's name unless given. Answers as :meth:`predict`.
        """
        import mimetypes
        import os

        if (path is None) == (data is None):
            raise ValueError("give path or data, one of them")
        if path is not None:
            with open(path, "rb") as file:
                data = file.read()
            filename = filename if filename is not None else os.path.basename(path)
        if content_type is None:
            guessed = mimetypes.guess_type(filename)[0] if filename else None
            content_type = guessed or "application/octet-stream"
        query = {"filename": filename, "return_scores": "true" if return_scores else None}
        return self._client.request(
            "POST", f"{self.path}/{_quote(key)}/predict/file", data, query=query, content_type=content_type
        )

    def delete(self, key: str, with_sources: bool = False) -> None:
        """Delete a version and its artifact copy.

        ``with_sources`` (a deactivated version only): also the training that made it, when no other
        version came from it, and the uploaded datasets that training used and nothing else names.
        """
        query = {"withSources": "true"} if with_sources else None
        self._client.request("DELETE", f"{self.path}/{_quote(key)}", query=query)


class _Endpoints(_Resource):
    """Endpoints and their stages; ``key`` is the id or the name, ``stage`` a stage's name.

    ``model`` is any model reference: the id, a name (its newest version), ``name:3`` or
    ``name@production``.
    """

    path = "/api/v1/endpoints"

    @staticmethod
    def _stage_body(
        body: Dict[str, Any],
        instance_count: Optional[int],
        resource_path: Optional[str],
        environment: Optional[str],
        description: Optional[str],
    ) -> Dict[str, Any]:
        for key, value in (
            ("instanceCount", instance_count),
            ("resourcePath", resource_path),
            ("environment", environment),
            ("description", description),
        ):
            if value is not None:
                body[key] = value
        return body

    def create(
        self,
        name: str,
        model: str,
        stage: Optional[str] = None,
        instance_count: Optional[int] = None,
        resource_path: Optional[str] = None,
        environment: Optional[str] = None,
        api_key: bool = False,
        description: Optional[str] = None,
        tags: Optional[Dict[str, str]] = None,
        wait: bool = False,
        timeout: float = 600,
        cluster: Optional[str] = None,
        autoscaling: Optional[Tuple[int, int]] = None,
    ) -> Dict[str, Any]:
        """Deploy ``model`` as a new endpoint's default stage (named ``stage``, default "default").

        ``cluster="NAME"`` runs it on that Ray cluster as a Ray Serve application with
        ``instance_count`` replicas (or between ``autoscaling=(min, max)``); by default it runs on
        the default cluster if there is one, else on this machine.

        It is ACTIVE once its workers answer (``wait=True`` polls until then, or CREATE FAILED).
        ``api_key=True`` issues a key callers may use instead of the bridge token: it is in the
        answer's ``apiKey``, this once.
        """
        body = self._stage_body(
            {"name": name, "model": model, "tags": tags or {}}, instance_count, resource_path, environment, description
        )
        _place(body, cluster, autoscaling)
        if stage is not None:
            body["stage"] = stage
        if api_key:
            body["apiKey"] = True
        endpoint = self._client.request("POST", self.path, body)
        if not wait:
            return endpoint
        settled = self.wait(endpoint["id"], timeout)
        if "apiKey" in endpoint:
            settled["apiKey"] = endpoint["apiKey"]  # answered once: keep it in what is returned
        return settled

    def wait(self, key: str, timeout: float = 600) -> Dict[str, Any]:
        """Poll until the endpoint is no longer at work; returns it (ACTIVE, CREATE FAILED or UPDATE FAILED)."""
        return self._wait_until(key, lambda e: e["state"] not in BUSY_ENDPOINT_STATES, timeout, 0.3)

    def update(
        self,
        key: str,
        description: Optional[str] = None,
        tags: Optional[Dict[str, str]] = None,
        api_key: Optional[bool] = None,
    ) -> Dict[str, Any]:
        """``api_key=True`` issues a new key (in the answer's ``apiKey``, once; the old one stops
        working), ``api_key=False`` removes it."""
        return self._patch(key, description, tags, apiKey=api_key)

    def delete(self, key: str) -> None:
        """Delete the endpoint and stop its workers; refused (409) while it has stages besides the default."""
        self._client.request("DELETE", f"{self.path}/{_quote(key)}")

    def add_stage(
        self,
        key: str,
        name: str,
        model: str,
        instance_count: Optional[int] = None,
        resource_path: Optional[str] = None,
        environment: Optional[str] = None,
        description: Optional[str] = None,
        wait: bool = False,
        timeout: float = 600,
        cluster: Optional[str] = None,
        autoscaling: Optional[Tuple[int, int]] = None,
    ) -> Dict[str, Any]:
        """Deploy ``model`` as another stage beside the default one, to try it before switching to it.

        ``cluster`` and ``autoscaling`` as in ``create``: a stage on a Ray cluster, served by Ray Serve.
        """
        body = self._stage_body({"name": name, "model": model}, instance_count, resource_path, environment, description)
        _place(body, cluster, autoscaling)
        created = self._client.request("POST", f"{self.path}/{_quote(key)}/stages", body)
        return self.wait_stage(key, name, timeout) if wait else created

    def get_stage(self, key: str, stage: str) -> Dict[str, Any]:
        return self._client.request("GET", f"{self.path}/{_quote(key)}/stages/{_quote(stage)}")

    def wait_stage(self, key: str, stage: str, timeout: float = 600) -> Dict[str, Any]:
        """Poll until the stage is no longer at work; returns it (ACTIVE, CREATE FAILED or DEPLOY FAILED)."""
        return self._wait_until(
            key, lambda s: s["state"] not in BUSY_STAGE_STATES, timeout, 0.3, get=lambda k: self.get_stage(k, stage)
        )

    def delete_stage(self, key: str, stage: str) -> None:
        """Delete a stage once its requests in flight are answered; never the default one (409)."""
        self._client.request("DELETE", f"{self.path}/{_quote(key)}/stages/{_quote(stage)}")

    def update_stage(
        self,
        key: str,
        stage: str,
        description: Optional[str] = None,
        memory_limit_mb: Any = _KEEP,
        payload_logging: Any = _KEEP,
        drift: Any = _KEEP,
    ) -> Dict[str, Any]:
        """Change what watches a stage, with no redeploy; returns the stage. Left out: kept.

        ``memory_limit_mb``: a worker whose resident memory goes over it is restarted (``None``: no
        limit). ``payload_logging``: the API's object, e.g. ``{"enabled": True, "sampleRate": 0.5,
        "redact": ["ssn"]}``, replacing the stage's whole (``{"enabled": False}``: off). ``drift``: e.g.
        ``{"window": "1h", "reference": "iris-data:2"}`` (``None``: off); it needs payload logging on.
        """
        body: Dict[str, Any] = {}
        if description is not None:
            body["description"] = description
        for field, value in (("memoryLimitMb", memory_limit_mb), ("payloadLogging", payload_logging), ("drift", drift)):
            if value is not _KEEP:
                body[field] = value
        return self._client.request("PATCH", f"{self.path}/{_quote(key)}/stages/{_quote(stage)}", body)

    def redeploy_stage(self, key: str, stage: str, wait: bool = False, timeout: float = 600) -> Dict[str, Any]:
        """Deploy a CREATE FAILED or DEPLOY FAILED stage again in place, with its model as it is now
        (after fixing what failed it); 409 for a stage in any other state."""
        started = self._client.request("POST", f"{self.path}/{_quote(key)}/stages/{_quote(stage)}/deploy")
        return self.wait_stage(key, stage, timeout) if wait else started

    def deactivate_stage(self, key: str, stage: str) -> Dict[str, Any]:
        """Stop an ACTIVE stage's workers once its requests in flight are answered; returns it INACTIVE.
        Its routes (the endpoint's own, when it is the default) answer 503 until it is activated."""
        # answered once the requests in flight are (the bridge waits up to 30 s for them)
        path = f"{self.path}/{_quote(key)}/stages/{_quote(stage)}/deactivate"
        return self._client.request("POST", path, timeout=max(self._client.timeout, 60))

    def activate_stage(self, key: str, stage: str, wait: bool = False, timeout: float = 600) -> Dict[str, Any]:
        """Start an INACTIVE stage's workers again: DEPLOY IN PROGRESS, then ACTIVE (``wait=True`` polls)."""
        started = self._client.request("POST", f"{self.path}/{_quote(key)}/stages/{_quote(stage)}/activate")
        return self.wait_stage(key, stage, timeout) if wait else started

    def set_default_stage(self, key: str, stage: str) -> Dict[str, Any]:
        """Make an ACTIVE stage the default, dropping no request; the old default is removed."""
        return self._client.request("PUT", f"{self.path}/{_quote(key)}/default-stage", {"stage": stage})

    def stats(self, key: str, stage: Optional[str] = None, minutes: Optional[int] = None) -> Dict[str, Any]:
        """``{"minutes": [{"stage", "minute", "count", "errors", "p50", "p90", "p99", …}, …], "inFlight": {…}}``,
        per stage per minute, oldest first, over the last ``minutes`` (default 60)."""
        return self._client.request(
            "GET", f"{self.path}/{_quote(key)}/stats", query={"stage": stage, "minutes": minutes}
        )

    def resources(
        self, key: str, stage: Optional[str] = None, minutes: Optional[int] = None, points: Optional[int] = None
    ) -> Dict[str, Any]:
        """Its workers' CPU %, memory (MB), threads and open files (GPU where there is one), one stage's when
        named: ``{"processes": [{"process": "worker 0", "stage", "pid", "samples": […]}, …], "summary"}``."""
        return self._resources(key, {"stage": stage, "minutes": minutes, "points": points})

    def logs(
        self,
        key: str,
        stage: Optional[str] = None,
        inference_id: Optional[str] = None,
        level: Optional[str] = None,
        after: Optional[int] = None,
        limit: Optional[int] = None,
    ) -> List[Dict[str, Any]]:
        """Inference log entries (Inference.Request / Inference.Response), newest last; pass the
        last ``seq`` seen as ``after`` to get only newer ones."""
        query = {"stage": stage, "inferenceId": inference_id, "level": level, "after": after, "limit": limit}
        return self._client.request("GET", f"{self.path}/{_quote(key)}/logs", query=query)["items"]

    def predict(
        self, key: str, instances: List[Any], stage: Optional[str] = None, api_key: Optional[str] = None
    ) -> List[Any]:
        """Call the default stage (or ``stage``) with ``{"instances": instances}``; returns the predictions.

        ``api_key``, the endpoint's key, is sent as ``X-Api-Key`` instead of the bridge token.
        """
        if stage is not None:
            return self.predict_stage(key, stage, instances, api_key)
        return self._infer(f"/inference/{_quote(key)}", instances, api_key)

    def predict_stage(self, key: str, stage: str, instances: List[Any], api_key: Optional[str] = None) -> List[Any]:
        """Call one stage by its name, the default one or not: ``predict(key, instances, stage=stage)``."""
        return self._infer(f"/inference/{_quote(key)}/{_quote(stage)}", instances, api_key)

    def kserve_predict(self, key: str, instances: List[Any], api_key: Optional[str] = None) -> List[Any]:
        """The same call to the default stage at KServe V1's path, ``/v1/models/<endpoint>:predict``."""
        return self._infer(f"/v1/models/{_quote(key)}:predict", instances, api_key)

    def _infer(self, path: str, instances: Any, api_key: Optional[str]) -> List[Any]:
        return self._client.request("POST", path, {"instances": _as_instances(instances)}, api_key=api_key)[
            "predictions"
        ]


class _Clusters(_Resource):
    """Ray clusters: added by address, or started on this machine (``up``); the default target."""

    path = "/api/v1/clusters"

    def add(
        self,
        name: str,
        address: str,
        token: Optional[str] = None,
        wait: bool = True,
        timeout: float = 30,
        serve_port: Optional[int] = None,
        client_port: Optional[int] = None,
    ) -> Dict[str, Any]:
        """Add a running Ray cluster by its dashboard address (``http://HEAD:8265``); ``token`` if it has
        token auth on; ``serve_port`` is Ray Serve's HTTP port on the head's host (default 8000), ``client_port``
        its Ray Client port (default 10001, where batch scoring starts its workers from).
        With ``wait``, returns it once checked: REACHABLE, or UNREACHABLE with the reason."""
        body: Dict[str, Any] = {"name": name, "address": address}
        if token is not None:
            body["token"] = token
        if serve_port is not None:
            body["servePort"] = serve_port
        if client_port is not None:
            body["clientPort"] = client_port
        cluster = self._client.request("POST", self.path, body)
        return self.wait(cluster["id"], timeout) if wait else cluster

    def up(
        self,
        name: str,
        nodes: int = 2,
        cpus_per_node: int = 1,
        memory_mb_per_node: Optional[int] = None,
        wait: bool = True,
        timeout: float = 300,
    ) -> Dict[str, Any]:
        """Start a Ray cluster on the bridge's machine (each node its own ``ray start``), or start a
        stopped one again; with ``wait``, returns it once every node is ALIVE (or START FAILED)."""
        try:
            cluster = self._client.request("POST", f"{self.path}/{_quote(name)}/start")
        except ApiError as error:
            if error.status != 404:
                raise
            local: Dict[str, Any] = {"nodes": nodes, "cpusPerNode": cpus_per_node}
            if memory_mb_per_node is not None:
                local["memoryMbPerNode"] = memory_mb_per_node
            cluster = self._client.request("POST", self.path, {"name": name, "local": local})
        return self.wait(cluster["id"], timeout) if wait else cluster

    def down(self, key: str) -> Dict[str, Any]:
        """Stop a local cluster's nodes; it stays, STOPPED, until ``up`` again or ``remove``."""
        return self._client.request("POST", f"{self.path}/{_quote(key)}/stop")

    def wait(self, key: str, timeout: float = 300) -> Dict[str, Any]:
        """Poll until it has settled: REACHABLE, UNREACHABLE, START FAILED or STOPPED."""
        return self._wait_until(key, lambda c: c["state"] not in BUSY_CLUSTER_STATES, timeout, 0.5)

    def dashboard_url(self, key: str) -> str:
        """The address of the cluster's Ray dashboard through the bridge, which adds Ray's token: open it
        once (its one-time ticket gets the browser a session cookie; the address without it works from then
        on). Raises ``ApiError`` (503) while the cluster can't be reached."""
        opened = self._client.request("POST", f"{self.path}/{_quote(key)}/dashboard")
        return f"{self._client.url}{opened['path']}"

    def remove(self, key: str) -> None:
        """Forget a cluster and its token (a local one is stopped first)."""
        self._client.request("DELETE", f"{self.path}/{_quote(key)}")

    def set_default(self, key: Optional[str]) -> Optional[Dict[str, Any]]:
        """Make ``key`` the default target of trainings and stages; ``None``: this machine again."""
        if key is not None:
            return self._client.request("PATCH", f"{self.path}/{_quote(key)}", {"default": True})
        current = self.default()
        if current is not None:
            self._client.request("PATCH", f"{self.path}/{_quote(current['id'])}", {"default": False})
        return None

    def default(self) -> Optional[Dict[str, Any]]:
        """The default cluster, or ``None`` when trainings and stages run on this machine."""
        return next((c for c in self.list() if c["isDefault"]), None)


class _Recipes(_Resource):
    """The six built-in model types and the trainings saved as recipes (``emkit recipe``)."""

    path = "/api/v1/recipes"

    def save(self, training: str, name: str, description: Optional[str] = None) -> Dict[str, Any]:
        """Save a COMPLETE training as a recipe: its source, entry point, environment, parameters
        (types and defaults, from a notebook's parameters cell when there is one) and dataset names."""
        body: Dict[str, Any] = {"training": training, "name": name}
        if description is not None:
            body["description"] = description
        return self._client.request("POST", self.path, body)

    def delete(self, key: str) -> None:
        """A saved recipe; a built-in is refused (409). The trainings made from it stay."""
        self._client.request("DELETE", f"{self.path}/{_quote(key)}")

    def train(
        self,
        recipe: str,
        datasets: Dict[str, str],
        hyperparameters: Optional[Dict[str, Any]] = None,
        model: Any = _KEEP,
        name: Optional[str] = None,
        description: Optional[str] = None,
        environment: Optional[str] = None,
        experiment: Optional[str] = None,
        wait: bool = False,
        timeout: float = 86400,
    ) -> Dict[str, Any]:
        """Train a recipe on ``datasets`` (``{"train": "iris"}``: a dataset name[:version], or a path, made
        absolute here) with ``hyperparameters`` checked against its parameters (the others take their
        defaults). A built-in registers ``model`` (default: the training's name; None: no model) with its
        holdout evaluation when it ends COMPLETE: ``training["model"]`` and ``training["evaluation"]``."""
        body: Dict[str, Any] = {
            "datasets": {k: _dataset_value(v) for k, v in datasets.items()},
            "hyperparameters": {str(k): _text(v) for k, v in (hyperparameters or {}).items()},
        }
        if model is not _KEEP:
            body["model"] = model
        for key, value in (
            ("name", name),
            ("description", description),
            ("environment", environment),
            ("experiment", experiment),
        ):
            if value is not None:
                body[key] = value
        training = self._client.request("POST", f"{self.path}/{_quote(recipe)}/trainings", body)
        return self._client.trainings.wait(training["id"], timeout) if wait else training


def _text(value: Any) -> str:
    """A parameter value as the form has it: Python's True/False as true/false, the rest as str()."""
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _as_instances(instances: Any) -> List[Any]:
    """A NumPy array (or anything with tolist) goes as nested lists."""
    return instances.tolist() if hasattr(instances, "tolist") else list(instances)


class _Evaluations(_Resource):
    """Model versions judged on held-out data; ``model`` is any model reference (id, name, ``name:3``,
    ``name@production``), ``key`` an evaluation's id."""

    path = "/api/v1/evaluations"

    def list(
        self, limit: int = 1000, offset: int = 0, model: Optional[str] = None, state: Optional[str] = None
    ) -> List[Dict[str, Any]]:
        """Newest first, without results (``get`` one for it); ``model`` a bare name means all its versions."""
        query = {"limit": limit, "offset": offset, "model": model, "state": state}
        return self._client.request("GET", self.path, query=query)["items"]

    def create(
        self,
        model: str,
        data: str,
        label: Optional[str] = None,
        features: Optional[List[str]] = None,
        format: Optional[str] = None,
        task: Optional[str] = None,
        threshold: Optional[float] = None,
        max_errors: Optional[int] = None,
        batch_rows: Optional[int] = None,
        environment: Optional[str] = None,
        wait: bool = False,
        timeout: float = 86400,
    ) -> Dict[str, Any]:
        """Evaluate ``model`` on ``data`` (a .csv/.parquet with a label column, a .jsonl of
        ``{"instance", "label"}``, or a folder of class subfolders; made absolute here), or a dataset
        (``name`` or ``name:3``). It runs in the background; ``wait=True`` polls until it ends and returns
        it with its result."""
        body: Dict[str, Any] = {"model": model, "data": _dataset_value(data)}
        for key, value in (
            ("label", label),
            ("features", list(features) if features is not None else None),
            ("format", format),
            ("task", task),
            ("threshold", threshold),
            ("maxErrors", max_errors),
            ("batchRows", batch_rows),
            ("environment", environment),
        ):
            if value is not None:
                body[key] = value
        evaluation = self._client.request("POST", self.path, body)
        return self.wait(evaluation["id"], timeout) if wait else evaluation

    def get(self, key: str, threshold: Optional[float] = None) -> Dict[str, Any]:
        """With its ``result`` once COMPLETE, and ``atThreshold``: precision/recall per class at
        ``threshold`` (else the evaluation's own), where the model gave scores."""
        return self._client.request("GET", f"{self.path}/{_quote(key)}", query={"threshold": threshold})

    def wait(self, key: str, timeout: float = 86400) -> Dict[str, Any]:
        """Poll until it has ended; returns it (COMPLETE, FAILED or STOPPED)."""
        return self._wait_until(key, lambda e: e["state"] not in BUSY_EVALUATION_STATES, timeout, 0.3)

    def stop(self, key: str) -> Dict[str, Any]:
        return self._client.request("POST", f"{self.path}/{_quote(key)}/stop")

    def delete(self, key: str) -> None:
        """Delete an evaluation that has ended, with its files (409 while it runs)."""
        self._client.request("DELETE", f"{self.path}/{_quote(key)}")

    def log(self, key: str) -> str:
        """The runner's log: what it read, and the traceback of a model that failed."""
        return self._read_log(f"{self.path}/{_quote(key)}/log", {})

    def iterations(self, model: str, dataset: Optional[str] = None) -> Dict[str, Any]:
        """Every version of ``model``'s name, oldest first, each with its latest COMPLETE evaluation on
        one dataset (``dataset``, a sha256, else the one evaluated last), and the datasets there are."""
        return self._client.request("GET", f"/api/v1/models/{_quote(model)}/evaluations", query={"dataset": dataset})
