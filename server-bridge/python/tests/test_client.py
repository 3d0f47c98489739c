"""emkit.Client against a real bridge: the calls, the errors, and coverage of the API."""

from __future__ import annotations

import inspect
import re
import socket
import threading
from typing import Any, Dict, List, Set, Tuple

import pytest

import emkit
from emkit.client import _Resource

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
        # the bridge orders by (createdAt, id), newest first; ids break ties within a millisecond
        expected = [e["id"] for e in sorted(made, key=lambda e: (e["createdAt"], e["id"]), reverse=True)]
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
    with pytest.raises(emkit.ApiError) as caught:
        if call == "update":
            client.experiments.update(key, "x")
        else:
            getattr(client.experiments, call)(key)
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
COVERED_TAGS = {"bridge", "environments", "experiments", "trainings", "tensorboards", "models"}
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}
# A response with whatever any client method reads from one.
FAKE_ANSWER: Dict[str, Any] = {
    "items": [],
    "total": 0,
    "id": "fake-id",
    # settled for every resource's wait(): environments (not CREATE IN PROGRESS), trainings
    "state": "COMPLETE",
    "text": "",
    "offset": 0,
    "nextOffset": 0,
    "size": 0,
}


def _record_every_call(bridge) -> Set[Tuple[str, str]]:
    """Call every public method of the client and its resource groups, transport stubbed."""
    calls: Set[Tuple[str, str]] = set()

    class Recording(emkit.Client):
        def request(self, method, path, body=None, query=None):
            calls.add((method.upper(), path))
            return dict(FAKE_ANSWER)

    client = Recording(url=bridge.url, token=bridge.token)
    groups = [client] + [value for value in vars(client).values() if isinstance(value, _Resource)]
    assert len(groups) >= 3, "expected the environments and experiments groups"
    for group in groups:
        for name, method in inspect.getmembers(group, inspect.ismethod):
            if name.startswith("_") or name == "request":
                continue
            required = [
                p
                for p in inspect.signature(method).parameters.values()
                if p.default is inspect.Parameter.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
            ]
            method(*["some-key" for _ in required])
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
    training = client.trainings.create(str(script), hyperparameters={"epochs": 2}, experiment=experiment,
                                       tags={"owner": "me"}, wait=True, timeout=60)
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


# --- models ---------------------------------------------------------------------------------


def test_model_versions_and_aliases(client, unique_name, tmp_path):
    (tmp_path / "predict.py").write_text("def load():\n    return None\n\ndef predict(instances):\n    return instances\n")
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
