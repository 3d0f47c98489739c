"""emkit.Client against a real bridge: the calls, the errors, and coverage of the API."""

from __future__ import annotations

import inspect
import re
import socket
import threading
from typing import Any, Dict, List, Set, Tuple

import pytest

import emkit

# --- bridge ---------------------------------------------------------------------------------


def test_health(client):
    health = client.health()
    assert health["status"] == "ok"
    assert isinstance(health["version"], str) and health["version"]
    assert health["uptimeSeconds"] >= 0


def test_health_needs_no_token(bridge):
    assert emkit.Client(url=bridge.url, token="wrong").health()["status"] == "ok"


def test_status(client, bridge):
    status = client.status()
    assert status["pid"] == bridge.pid
    assert status["version"] == client.health()["version"]
    assert status["uptimeSeconds"] >= 0
    assert isinstance(status["eventSeq"], int)
    assert {"experiments", "environments"} <= set(status["counts"])


def test_openapi(client):
    document = client.openapi()
    assert document["openapi"].startswith("3.")
    assert "/api/v1/experiments" in document["paths"]


# --- experiments ----------------------------------------------------------------------------


def test_experiment_lifecycle(client, unique_name):
    name = unique_name("life")
    before = client.status()["counts"]["experiments"]

    created = client.experiments.create(name, description="first try")
    assert created["name"] == name
    assert created["description"] == "first try"
    assert created["state"] == "ACTIVE"
    assert created["id"] and created["id"] != name
    assert created["createdAt"] == created["updatedAt"]
    assert client.status()["counts"]["experiments"] == before + 1

    listed = client.experiments.list()
    assert created in listed

    assert client.experiments.get(name) == created
    assert client.experiments.get(created["id"]) == created

    updated = client.experiments.update(name, "second try")
    assert updated["id"] == created["id"]
    assert updated["description"] == "second try"
    assert updated["updatedAt"] >= created["updatedAt"]
    assert updated["createdAt"] == created["createdAt"]
    assert client.experiments.get(created["id"])["description"] == "second try"

    assert client.experiments.delete(name) is None
    with pytest.raises(emkit.ApiError) as caught:
        client.experiments.get(created["id"])
    assert (caught.value.status, caught.value.code) == (404, "not_found")
    assert all(e["id"] != created["id"] for e in client.experiments.list())
    assert client.status()["counts"]["experiments"] == before


def test_experiment_description_defaults_to_empty(client, unique_name):
    created = client.experiments.create(unique_name())
    assert created["description"] == ""
    client.experiments.delete(created["id"])


def test_experiments_list_pages_newest_first(client, unique_name):
    made = [client.experiments.create(unique_name("page")) for _ in range(3)]
    try:
        # newest first; within one millisecond the later insert comes first (the store breaks ties by rowid)
        expected = [e["id"] for e in reversed(made)]
        first = client.experiments.list(limit=2)
        assert [e["id"] for e in first] == expected[:2]
        second = client.experiments.list(limit=2, offset=2)
        assert second[0]["id"] == expected[2]
        page = client.request("GET", "/api/v1/experiments", query={"limit": 1})
        assert len(page["items"]) == 1
        assert page["total"] >= 3
    finally:
        for experiment in made:
            client.experiments.delete(experiment["id"])


def test_duplicate_experiment_name_is_a_conflict(client, unique_name):
    name = unique_name("dup")
    client.experiments.create(name)
    try:
        with pytest.raises(emkit.ApiError) as caught:
            client.experiments.create(name, description="again")
        assert caught.value.status == 409
        assert caught.value.code == "conflict"
        assert name in caught.value.message
        assert str(caught.value) == caught.value.message
    finally:
        client.experiments.delete(name)


@pytest.mark.parametrize("call", ["get", "update", "delete"])
def test_unknown_experiment_is_not_found(client, call):
    key = "no-such-experiment-0000"
    method = (lambda k: client.experiments.update(k, "x")) if call == "update" else getattr(client.experiments, call)
    with pytest.raises(emkit.ApiError) as caught:
        method(key)
    assert caught.value.status == 404
    assert caught.value.code == "not_found"
    assert key in caught.value.message


def test_keys_are_quoted_into_the_path(client):
    # a slash or a space must stay inside the one path segment, not reach another route
    for key in ("a/b", "a b", "../status", "x?y=1"):
        with pytest.raises(emkit.ApiError) as caught:
            client.experiments.get(key)
        assert (caught.value.status, caught.value.code) == (404, "not_found"), key


@pytest.mark.parametrize(
    "name",
    ["Upper", "has space", "-leading-dash", "_leading", "", "a" * 51, "dot.ted", "ünï"],
    ids=["upper", "space", "dash", "underscore", "empty", "too-long", "dot", "non-ascii"],
)
def test_invalid_experiment_name_is_a_validation_error(client, name):
    with pytest.raises(emkit.ApiError) as caught:
        client.experiments.create(name)
    assert caught.value.status == 400
    assert caught.value.code == "validation"
    assert caught.value.field == "name"
    assert "name" in caught.value.message


def test_longest_valid_experiment_name(client):
    name = "z" + "9" * 49
    created = client.experiments.create(name)
    assert created["name"] == name
    client.experiments.delete(name)


def test_too_long_description_is_a_validation_error(client, unique_name):
    with pytest.raises(emkit.ApiError) as caught:
        client.experiments.create(unique_name(), description="x" * 1001)
    assert (caught.value.status, caught.value.field) == (400, "description")


def test_unknown_body_field_is_a_validation_error(client, unique_name):
    with pytest.raises(emkit.ApiError) as caught:
        client.request("POST", "/api/v1/experiments", {"name": unique_name(), "colour": "red"})
    assert (caught.value.status, caught.value.code, caught.value.field) == (400, "validation", "colour")


@pytest.mark.parametrize("limit", [0, 1001])
def test_list_limit_out_of_range_is_a_validation_error(client, limit):
    with pytest.raises(emkit.ApiError) as caught:
        client.experiments.list(limit=limit)
    assert (caught.value.status, caught.value.code, caught.value.field) == (400, "validation", "limit")


# --- authentication and transport -----------------------------------------------------------


def test_wrong_token_is_unauthorized(bridge):
    client = emkit.Client(url=bridge.url, token="not-the-token")
    for call in (client.status, client.experiments.list, client.environments.list):
        with pytest.raises(emkit.ApiError) as caught:
            call()
        assert caught.value.status == 401
        assert caught.value.code == "unauthorized"
        assert "token" in caught.value.message


def test_http_proxy_settings_do_not_capture_bridge_calls(client, monkeypatch):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}"
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, dead)
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    fresh = emkit.Client(url=client.url, token=client.connection.token)
    assert fresh.status()["pid"] > 0


class _BadServer:
    """A port that accepts connections and then hangs up, or never answers."""

    def __init__(self, hang: bool):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.hang = hang
        self.held: List[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.sock.accept()
            except OSError:
                return
            if self.hang:
                self.held.append(connection)
            else:
                connection.recv(65536)
                connection.close()

    def close(self) -> None:
        self.sock.close()
        for connection in self.held:
            connection.close()


@pytest.mark.parametrize("hang", [False, True], ids=["hangs-up", "never-answers"])
def test_a_dropped_or_silent_connection_is_unreachable(hang):
    server = _BadServer(hang)
    try:
        client = emkit.Client(url=server.url, token="x", timeout=0.5)
        with pytest.raises(emkit.ApiError) as caught:
            client.status()
        assert (caught.value.status, caught.value.code) == (0, "unreachable")
        assert server.url in caught.value.message
    finally:
        server.close()


# --- environments (read-only: creating one is slow and covered by the TypeScript tests) -----


def test_environments_list(client):
    environments = client.environments.list()
    assert isinstance(environments, list)
    page = client.request("GET", "/api/v1/environments", query={"limit": 1})
    assert page["total"] == client.status()["counts"]["environments"]


def test_environment_managers(client):
    managers = client.environments.managers()
    assert any(m["manager"] == "venv" for m in managers["managers"])
    assert isinstance(managers["pythons"], list)


@pytest.mark.parametrize("call", ["get", "log", "delete"])
def test_unknown_environment_is_not_found(client, call):
    with pytest.raises(emkit.ApiError) as caught:
        getattr(client.environments, call)("no-such-environment-0000")
    assert (caught.value.status, caught.value.code) == (404, "not_found")


def test_invalid_environment_name_is_refused_before_anything_is_built(client):
    before = client.status()["counts"]["environments"]
    with pytest.raises(emkit.ApiError) as caught:
        client.environments.create("Not A Name")
    assert (caught.value.status, caught.value.code, caught.value.field) == (400, "validation", "name")
    assert client.status()["counts"]["environments"] == before


# --- the client covers the API --------------------------------------------------------------

# The OpenAPI tags whose every operation emkit.Client must be able to call
# (bridge: health, status, openapi.json). WebSocket upgrades (101, the events stream)
# are not JSON calls and have no method here.
COVERED_TAGS = {
    "bridge",
    "environments",
    "experiments",
    "trainings",
    "tensorboards",
    "models",
    "evaluations",
    "batch-inferences",
    "endpoints",
    "inference",
    "schedules",
    "alerts",
    "monitoring",
    "tunings",
}
# methods that read files where the client runs once their call is made (batch_inferences.predictions: the
# job's output file, after a get the others cover)
LOCAL_READS = {"predictions"}
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}
# A response with whatever any client method reads from one.
FAKE_ANSWER: Dict[str, Any] = {
    "items": [],
    "total": 0,
    "id": "fake-id",
    # settled for every resource's wait(): environments (not CREATE IN PROGRESS), trainings,
    # endpoints and stages (not at work)
    "state": "COMPLETE",
    "text": "",
    "offset": 0,
    "nextOffset": 0,
    "size": 0,
    "predictions": [],
    "path": "/clusters/fake-id/dashboard/?ticket=fake",
    "ticket": "fake-ticket",
    "nextRuns": [],
    "accepted": 0,
    "windows": [],
    # a tuning's best trial, for tunings.create_model_from_best
    "best": {"trainingId": "fake-training"},
}


# what a method needs beside its required arguments to make its call
EXTRA_ARGUMENTS: Dict[str, Dict[str, Any]] = {
    "predict_file": {"data": b"some bytes"},
    "feedback": {"inference_id": "some-id", "label": 1},
}
# required arguments that must be more than a key: datasets.upload reads a real file (this one),
# recipes.train takes a map of datasets, tunings.create a space
POSITIONAL_ARGUMENTS: Dict[Tuple[str, str], Any] = {
    ("upload", "path"): __file__,
    ("train", "datasets"): {"train": "iris"},
    ("create", "space"): ["x=uniform:0:1"],
}


def _record_every_call(bridge) -> Set[Tuple[str, str]]:
    """Call every public method of the client and its resource groups, transport stubbed."""
    calls: Set[Tuple[str, str]] = set()

    class Recording(emkit.Client):
        def request(self, method, path, body=None, query=None, api_key=None, content_type=None, timeout=None):
            calls.add((method.upper(), path))
            return dict(FAKE_ANSWER)

    client = Recording(url=bridge.url, token=bridge.token)
    # every group the client holds: the resources, and the monitoring ones that are no CRUD resource
    groups = [client] + [value for value in vars(client).values() if getattr(value, "_client", None) is client]
    assert len(groups) >= 3, "expected the environments and experiments groups"
    for group in groups:
        for name, method in inspect.getmembers(group, inspect.ismethod):
            if name.startswith("_") or name == "request" or name in LOCAL_READS:
                continue
            required = [
                p
                for p in inspect.signature(method).parameters.values()
                if p.default is inspect.Parameter.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
            ]
            method(
                *[POSITIONAL_ARGUMENTS.get((name, p.name), "some-key") for p in required],
                **EXTRA_ARGUMENTS.get(name, {}),
            )
    return calls


def _operations(document: Dict[str, Any]) -> Set[Tuple[str, str]]:
    wanted = set()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in HTTP_METHODS or "101" in operation.get("responses", {}):
                continue
            if COVERED_TAGS & set(operation.get("tags", [])):
                wanted.add((method.upper(), path))
    return wanted


def _matches(template: str, path: str) -> bool:
    pattern = "".join(
        "[^/]+" if re.fullmatch(r"\{[^}]+\}", part) else re.escape(part) for part in re.split(r"(\{[^}]+\})", template)
    )
    return re.fullmatch(pattern, path) is not None


def test_every_api_operation_is_called_by_the_client(client, bridge):
    document = client.openapi()
    wanted = _operations(document)
    # sanity: the document really lists what the client is meant to cover
    for expected in [
        ("GET", "/api/v1/health"),
        ("GET", "/api/v1/status"),
        ("GET", "/api/v1/openapi.json"),
        ("GET", "/api/v1/experiments"),
        ("POST", "/api/v1/experiments"),
        ("GET", "/api/v1/experiments/{id}"),
        ("PATCH", "/api/v1/experiments/{id}"),
        ("DELETE", "/api/v1/experiments/{id}"),
        ("GET", "/api/v1/environments"),
        ("POST", "/api/v1/environments"),
        ("GET", "/api/v1/environments/{id}"),
        ("GET", "/api/v1/environments/{id}/log"),
        ("DELETE", "/api/v1/environments/{id}"),
        ("POST", "/api/v1/endpoints"),
        ("PUT", "/api/v1/endpoints/{id}/default-stage"),
        ("POST", "/inference/{endpoint}"),
        ("POST", "/inference/{endpoint}/{stage}"),
        ("POST", "/v1/models/{endpoint}:predict"),
    ]:
        assert expected in wanted, f"{expected} is missing from openapi.json"

    calls = _record_every_call(bridge)
    missing = sorted(
        f"{method} {template}"
        for method, template in wanted
        if not any(m == method and _matches(template, path) for m, path in calls)
    )
    assert not missing, f"no emkit.Client method calls: {', '.join(missing)}"

    every_operation = {(m.upper(), p) for p, item in document["paths"].items() for m in item if m in HTTP_METHODS}
    unknown = sorted(
        f"{method} {path}"
        for method, path in calls
        if not any(m == method and _matches(template, path) for m, template in every_operation)
    )
    assert not unknown, f"emkit.Client calls routes the bridge doesn't have: {', '.join(unknown)}"


# --- trainings ------------------------------------------------------------------------------


def test_training_round_trip(client, unique_name, tmp_path):
    script = tmp_path / "fit.py"
    script.write_text(
        "import sys\n"
        "from emkit.tracking import log_metric\n"
        "print('args', sys.argv[1:])\n"
        "for step in range(3):\n"
        "    log_metric('loss', 1.0 / (step + 1), step)\n"
    )
    experiment = unique_name("exp")
    training = client.trainings.create(
        str(script), hyperparameters={"epochs": 2}, experiment=experiment, tags={"owner": "me"}, wait=True, timeout=60
    )
    assert training["state"] == "COMPLETE", training["stateReason"]
    assert training["experimentName"] == experiment
    assert training["hyperparameters"] == {"epochs": "2"}
    assert "args ['--epochs', '2']" in client.trainings.log(training["id"])
    assert [p["step"] for p in client.trainings.metrics(training["id"])["loss"]] == [0, 1, 2]
    assert client.trainings.get(training["name"])["id"] == training["id"]
    assert training["id"] in [t["id"] for t in client.trainings.list(experiment=experiment)]
    assert any(f["path"].startswith("tensorboard/") for f in client.trainings.files(training["id"]))

    updated = client.trainings.update(training["id"], description="first")
    assert updated["description"] == "first" and updated["tags"] == {"owner": "me"}

    comparison = client.experiments.compare(experiment)
    assert comparison["metrics"] == ["loss"]
    assert comparison["trainings"][0]["metrics"]["loss"]["best"] == pytest.approx(1 / 3)

    copy = client.trainings.copy(training["id"], hyperparameters={"epochs": "5"})
    copied = client.trainings.wait(copy["id"], timeout=60)
    assert copied["state"] == "COMPLETE" and copied["copiedFrom"] == training["id"]
    assert "args ['--epochs', '5']" in client.trainings.log(copy["id"])

    with pytest.raises(emkit.ApiError) as caught:
        client.trainings.stop(training["id"])
    assert caught.value.status == 409
    with pytest.raises(emkit.ApiError) as caught:
        client.experiments.delete(experiment)
    assert caught.value.status == 409

    for t in (training, copy):
        client.trainings.delete(t["id"])
    client.experiments.delete(experiment)


def test_training_bad_input(client, tmp_path):
    with pytest.raises(emkit.ApiError) as caught:
        client.trainings.create(str(tmp_path / "absent.py"))
    assert (caught.value.status, caught.value.field) == (422, "source.path")
    with pytest.raises(emkit.ApiError) as caught:
        client.trainings.create(str(tmp_path), hyperparameters={"bad key": 1})
    assert caught.value.status == 400 and "hyperparameters" in str(caught.value)
    # retries after a lost node are for trainings on a cluster: here there is none to lose
    script = tmp_path / "fit.py"
    script.write_text("print(1)\n")
    with pytest.raises(emkit.ApiError) as caught:
        client.trainings.create(str(script), max_retries=1)
    assert (caught.value.status, caught.value.field) == (422, "maxRetries")


# --- models ---------------------------------------------------------------------------------


def test_model_versions_and_aliases(client, unique_name, tmp_path):
    (tmp_path / "predict.py").write_text(
        "def load():\n    return None\n\ndef predict(instances):\n    return instances\n"
    )
    name = unique_name("m")
    first = client.models.create(name, artifact_path=str(tmp_path), aliases=["staging"], description="echo")
    assert (first["version"], first["framework"], first["aliases"]) == (1, "custom", ["staging"])
    second = client.models.create(name, artifact_path=str(tmp_path))
    assert second["version"] == 2
    assert client.models.get(name)["id"] == second["id"]
    assert client.models.get(f"{name}@staging")["id"] == first["id"]
    assert client.models.promote(f"{name}:2", "staging")["aliases"] == ["staging"]
    assert client.models.get(f"{name}:1")["aliases"] == []
    assert client.models.update(f"{name}:1", tags={"k": "v"})["tags"] == {"k": "v"}
    assert [m["version"] for m in client.models.list(name=name)] == [2, 1]
    client.models.delete(f"{name}:1")
    client.models.delete(f"{name}:2")
    with pytest.raises(emkit.ApiError) as caught:
        client.models.get(name)
    assert caught.value.status == 404


# --- endpoints ------------------------------------------------------------------------------

ECHO = "def predict(instances):\n    return instances\n"
DOUBLE = "def predict(instances):\n    return [2 * x for x in instances]\n"


def _custom_model(client, tmp_path, name: str, source: str) -> Dict[str, Any]:
    """A version of a `custom` model (predict.py): it needs nothing but the worker's Python."""
    folder = tmp_path / f"{name}-{len(list(tmp_path.iterdir()))}"
    folder.mkdir()
    (folder / "predict.py").write_text(source)
    return client.models.create(name, artifact_path=str(folder))


def _eventually(probe, timeout: float = 10.0, every: float = 0.1):
    """Poll ``probe()`` until it answers something true; returns that answer."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        answer = probe()
        if answer or time.monotonic() > deadline:
            assert answer, "still not so after the timeout"
            return answer
        time.sleep(every)


def _refused(call, *args, **kwargs) -> emkit.ApiError:
    with pytest.raises(emkit.ApiError) as caught:
        call(*args, **kwargs)
    return caught.value


def test_endpoint_lifecycle(client, bridge, unique_name, tmp_path):
    model = unique_name("m")
    _custom_model(client, tmp_path, model, ECHO)
    name = unique_name("ep")
    endpoint = client.endpoints.create(
        name, model, api_key=True, description="echo", tags={"team": "ml"}, wait=True, timeout=120
    )
    assert endpoint["state"] == "ACTIVE", endpoint["stateReason"]
    assert (endpoint["name"], endpoint["defaultStage"], endpoint["hasApiKey"]) == (name, "default", True)
    assert (endpoint["description"], endpoint["tags"]) == ("echo", {"team": "ml"})
    key = endpoint["apiKey"]  # answered once, kept through wait=True
    assert isinstance(key, str) and key
    [stage] = endpoint["stages"]
    assert (stage["name"], stage["default"], stage["state"]) == ("default", True, "ACTIVE")
    assert (stage["model"]["name"], stage["model"]["version"], stage["model"]["framework"]) == (model, 1, "custom")
    assert "apiKey" not in client.endpoints.get(name)
    assert client.endpoints.get(endpoint["id"])["name"] == name
    assert endpoint["id"] in [e["id"] for e in client.endpoints.list()]

    # the bridge token, the endpoint's key instead, and the KServe path
    assert client.endpoints.predict(name, [[1, 2], [3, 4]]) == [[1, 2], [3, 4]]
    assert client.endpoints.predict(name, [5], api_key=key) == [5]
    assert client.endpoints.predict(name, [6], stage="default") == [6]
    assert client.endpoints.kserve_predict(name, ["a"]) == ["a"]
    keyed = emkit.Client(url=bridge.url, token="not-the-token")
    assert keyed.endpoints.predict(name, [7], api_key=key) == [7]
    wrong = _refused(keyed.endpoints.predict, name, [7], api_key="emk_wrong")
    assert (wrong.status, wrong.code) == (401, "unauthorized")
    assert _refused(keyed.endpoints.predict, name, [7]).status == 401

    # a second stage with another version, tried, then made the default
    _custom_model(client, tmp_path, model, DOUBLE)
    canary = client.endpoints.add_stage(
        name,
        "canary",
        f"{model}:2",
        instance_count=2,
        resource_path="/predict",
        description="doubles",
        wait=True,
        timeout=120,
    )
    assert canary["state"] == "ACTIVE", canary["stateReason"]
    assert (canary["default"], canary["instanceCount"], canary["resourcePath"]) == (False, 2, "/predict")
    assert canary["model"]["version"] == 2
    assert client.endpoints.get_stage(name, "canary")["id"] == canary["id"]
    assert client.endpoints.predict(name, [1, 2], stage="canary") == [2, 4]
    assert client.endpoints.predict(name, [1, 2]) == [1, 2]
    assert sorted(s["name"] for s in client.endpoints.get(name)["stages"]) == ["canary", "default"]
    assert _refused(client.endpoints.delete, name).status == 409
    assert _refused(client.endpoints.delete_stage, name, "default").status == 409

    # traffic: per stage per minute, and the inference logs
    stats = client.endpoints.stats(name, stage="canary", minutes=5)
    assert stats["endpointId"] == endpoint["id"]
    assert {m["stage"] for m in stats["minutes"]} == {"canary"}
    assert sum(m["count"] for m in stats["minutes"]) == 1
    assert sum(m["errors"] for m in stats["minutes"]) == 0
    assert "canary" in client.endpoints.stats(name)["inFlight"]
    logs = _eventually(
        lambda: [log for log in client.endpoints.logs(name, stage="canary") if log["action"] == "Inference.Response"]
    )
    [response] = logs
    assert (response["status"], response["logLevel"], response["endpointStageId"]) == (200, "INFO", canary["id"])
    same = client.endpoints.logs(name, inference_id=response["inferenceId"])
    assert {log["action"] for log in same} == {"Inference.Request", "Inference.Response"}
    newest = client.endpoints.logs(name)[-1]["seq"]
    assert client.endpoints.logs(name, after=newest) == []
    assert {log["logLevel"] for log in client.endpoints.logs(name, level="INFO")} == {"INFO"}
    assert len(client.endpoints.logs(name, limit=1)) == 1

    switched = client.endpoints.set_default_stage(name, "canary")
    assert switched["defaultStage"] == "canary"
    assert client.endpoints.predict(name, [3]) == [6]
    # the old default finishes its requests and goes
    _eventually(lambda: [s["name"] for s in client.endpoints.get(name)["stages"]] == ["canary"], timeout=30)

    # description, tags, and the key: a new one replaces the old, then none
    updated = client.endpoints.update(name, description="doubles now", tags={"team": "ml", "v": "2"})
    assert (updated["description"], updated["tags"]) == ("doubles now", {"team": "ml", "v": "2"})
    rotated = client.endpoints.update(name, api_key=True)
    assert rotated["hasApiKey"] and rotated["apiKey"] != key
    assert _refused(keyed.endpoints.predict, name, [1], api_key=key).status == 401
    assert keyed.endpoints.predict(name, [1], api_key=rotated["apiKey"]) == [2]
    assert client.endpoints.update(name, api_key=False)["hasApiKey"] is False
    assert _refused(keyed.endpoints.predict, name, [1], api_key=rotated["apiKey"]).status == 401

    assert client.endpoints.delete(name) is None
    assert _refused(client.endpoints.get, name).status == 404
    assert _refused(client.endpoints.predict, name, [1]).status == 404
    for version in (1, 2):
        client.models.delete(f"{model}:{version}")


def test_a_stage_that_cannot_start_fails_with_its_reason(client, unique_name, tmp_path):
    model = unique_name("m")
    _custom_model(client, tmp_path, model, "def load():\n    raise RuntimeError('no weights here')\n\n" + ECHO)
    name = unique_name("ep")
    failed = client.endpoints.create(name, model, wait=True, timeout=120)
    assert failed["state"] == "CREATE FAILED"
    assert "no weights here" in failed["stateReason"]
    assert "no weights here" in client.endpoints.get_stage(name, "default")["stateReason"]
    client.endpoints.delete(name)
    client.models.delete(model)


def test_an_added_stage_waits_until_it_settles(client, unique_name, tmp_path):
    model = unique_name("m")
    _custom_model(client, tmp_path, model, ECHO)
    _custom_model(client, tmp_path, model, "raise SystemExit(3)\n")
    name = unique_name("ep")
    client.endpoints.create(name, f"{model}:1", stage="main")
    assert client.endpoints.wait(name, timeout=120)["state"] == "ACTIVE"
    broken = client.endpoints.add_stage(name, "broken", f"{model}:2", wait=True, timeout=120)
    assert broken["state"] in ("CREATE FAILED", "DEPLOY FAILED")
    assert broken["stateReason"]
    assert client.endpoints.wait(name, timeout=30)["state"] == "UPDATE FAILED"
    assert _refused(client.endpoints.set_default_stage, name, "broken").status == 409
    client.endpoints.delete_stage(name, "broken")
    assert _refused(client.endpoints.get_stage, name, "broken").status == 404
    assert client.endpoints.wait(name, timeout=30)["state"] == "ACTIVE"
    client.endpoints.delete(name)
    for version in (1, 2):
        client.models.delete(f"{model}:{version}")


@pytest.mark.parametrize(
    "call", ["get", "delete", "stats", "logs", "get_stage", "delete_stage", "set_default_stage", "add_stage", "predict"]
)
def test_unknown_endpoint_is_not_found(client, call):
    key = "no-such-endpoint-0000"
    args = {
        "get_stage": ("default",),
        "delete_stage": ("default",),
        "set_default_stage": ("default",),
        "add_stage": ("s", "no-such-model"),
        "predict": ([1],),
    }.get(call, ())
    error = _refused(getattr(client.endpoints, call), key, *args)
    assert (error.status, error.code) == (404, "not_found")


def test_endpoint_bad_input(client, unique_name, tmp_path):
    model = unique_name("m")
    _custom_model(client, tmp_path, model, ECHO)
    before = len(client.endpoints.list())
    for kwargs, field in [
        ({"name": "Not A Name"}, "name"),
        ({"resource_path": "predict"}, "resourcePath"),
        ({"instance_count": 0}, "instanceCount"),
        ({"stage": "Bad Stage"}, "stage"),
    ]:
        arguments = {"name": unique_name("ep"), "model": model, **kwargs}
        error = _refused(client.endpoints.create, **arguments)
        assert (error.status, error.code, error.field) == (400, "validation", field), kwargs
    assert _refused(client.endpoints.create, unique_name("ep"), "no-such-model").status == 404
    assert len(client.endpoints.list()) == before
    client.models.delete(model)


def _bridge_python_has(*modules: str) -> bool:
    """Whether the Python the bridge runs workers with (EMKIT_PYTHON, else python3 on the PATH) has these."""
    import os
    import shutil
    import subprocess

    python = os.environ.get("EMKIT_PYTHON") or shutil.which("python3")
    if python is None:
        return False
    check = subprocess.run([python, "-c", f"import {', '.join(modules)}"], capture_output=True)
    return check.returncode == 0


@pytest.mark.skipif(
    not _bridge_python_has("sklearn", "joblib"),
    reason="the bridge's Python (EMKIT_PYTHON, else python3 on the PATH) has no scikit-learn; "
    "`npm test` puts .venv/bin first on the PATH",
)
def test_a_scikit_learn_model_behind_an_endpoint(client, unique_name, tmp_path):
    joblib = pytest.importorskip("joblib")
    datasets = pytest.importorskip("sklearn.datasets")
    linear_model = pytest.importorskip("sklearn.linear_model")
    X, y = datasets.load_iris(return_X_y=True)
    (tmp_path / "iris").mkdir()
    joblib.dump(linear_model.LogisticRegression(max_iter=300).fit(X, y), tmp_path / "iris" / "model.joblib")
    model = client.models.create(unique_name("iris"), artifact_path=str(tmp_path / "iris"))
    assert model["framework"] == "scikit-learn"
    name = unique_name("ep")
    endpoint = client.endpoints.create(name, model["id"], wait=True, timeout=120)
    assert endpoint["state"] == "ACTIVE", endpoint["stateReason"]
    assert client.endpoints.predict(name, X[[0, 100]]) == [0, 2]  # a NumPy array goes as lists
    client.endpoints.delete(name)
    client.models.delete(model["id"])
