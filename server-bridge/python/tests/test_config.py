"""How emkit finds the bridge: EMKIT_URL/EMKIT_TOKEN, else runtime.json in the emkit home."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

import emkit
from emkit.config import Connection, NoBridgeError, emkit_home, find_connection

# --- through runtime.json -------------------------------------------------------------------


def test_client_finds_the_bridge_through_emkit_home(bridge, monkeypatch):
    monkeypatch.setenv("EMKIT_HOME", str(bridge.home))
    client = emkit.Client()
    assert client.url == bridge.url
    assert client.connection.token == bridge.token
    assert client.health()["status"] == "ok"
    status = client.status()
    assert Path(status["home"]).resolve() == bridge.home
    assert status["pid"] == bridge.pid


def test_client_finds_the_bridge_through_the_home_argument(bridge):
    client = emkit.Client(home=str(bridge.home))
    assert client.url == bridge.url
    assert client.status()["pid"] == bridge.pid


def test_find_connection_reads_runtime_json(bridge, monkeypatch):
    monkeypatch.setenv("EMKIT_HOME", str(bridge.home))
    assert emkit_home() == bridge.home
    assert find_connection() == Connection(bridge.url, bridge.token)
    assert find_connection(home=bridge.home) == Connection(bridge.url, bridge.token)


def test_default_home_is_dot_emkit_in_the_user_home(tmp_path):
    # conftest points HOME at a per-test folder and clears EMKIT_HOME
    assert emkit_home() == Path.home() / ".emkit"
    assert Path.home() == tmp_path / "user-home"


# --- through EMKIT_URL / EMKIT_TOKEN --------------------------------------------------------


def test_client_finds_the_bridge_through_emkit_url_and_token(bridge, monkeypatch, tmp_path):
    monkeypatch.setenv("EMKIT_HOME", str(tmp_path / "empty-home"))  # no runtime.json there
    monkeypatch.setenv("EMKIT_URL", bridge.url + "/")  # a trailing slash is tolerated
    monkeypatch.setenv("EMKIT_TOKEN", bridge.token)
    client = emkit.Client()
    assert client.url == bridge.url
    assert client.health()["status"] == "ok"
    assert client.status()["pid"] == bridge.pid


def test_environment_variables_win_over_runtime_json(bridge, monkeypatch, tmp_path):
    home = tmp_path / "other-home"
    home.mkdir()
    (home / "runtime.json").write_text(json.dumps({"url": "http://127.0.0.1:9", "token": "stale"}))
    monkeypatch.setenv("EMKIT_HOME", str(home))
    monkeypatch.setenv("EMKIT_URL", bridge.url)
    monkeypatch.setenv("EMKIT_TOKEN", bridge.token)
    assert find_connection() == Connection(bridge.url, bridge.token)


def test_arguments_win_over_environment_variables(bridge, monkeypatch):
    monkeypatch.setenv("EMKIT_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("EMKIT_TOKEN", "not-the-token")
    client = emkit.Client(url=bridge.url, token=bridge.token)
    assert client.status()["pid"] == bridge.pid


def test_url_from_the_environment_with_the_token_from_runtime_json(bridge, monkeypatch):
    monkeypatch.setenv("EMKIT_HOME", str(bridge.home))
    monkeypatch.setenv("EMKIT_URL", bridge.url)
    assert find_connection() == Connection(bridge.url, bridge.token)


# --- no bridge ------------------------------------------------------------------------------


def test_find_connection_without_runtime_json_says_how_to_start_a_bridge(tmp_path, monkeypatch):
    home = tmp_path / "no-bridge-here"
    monkeypatch.setenv("EMKIT_HOME", str(home))
    with pytest.raises(NoBridgeError) as caught:
        find_connection()
    message = str(caught.value)
    assert str(home) in message
    assert "emkit serve" in message
    assert "EMKIT_URL" in message and "EMKIT_TOKEN" in message


def test_find_connection_without_runtime_json_in_the_given_home(tmp_path):
    with pytest.raises(NoBridgeError, match="no emkit bridge is running"):
        find_connection(home=tmp_path)


def test_a_token_alone_is_not_enough(tmp_path, monkeypatch):
    monkeypatch.setenv("EMKIT_HOME", str(tmp_path))
    monkeypatch.setenv("EMKIT_TOKEN", "some-token")
    with pytest.raises(NoBridgeError):
        find_connection()


@pytest.mark.parametrize(
    "content",
    ["", "{not json", "[]", "{}", '{"url": "http://127.0.0.1:1"}', '{"url": null, "token": "x"}'],
    ids=["empty", "broken", "list", "no-keys", "no-token", "null-url"],
)
def test_a_damaged_runtime_json_is_no_bridge(tmp_path, content):
    (tmp_path / "runtime.json").write_text(content)
    with pytest.raises(NoBridgeError, match="no emkit bridge is running"):
        find_connection(home=tmp_path)


def test_client_without_a_bridge_raises_api_error_unreachable(tmp_path, monkeypatch):
    monkeypatch.setenv("EMKIT_HOME", str(tmp_path))
    with pytest.raises(emkit.ApiError) as caught:
        emkit.Client()
    assert caught.value.status == 0
    assert caught.value.code == "unreachable"
    assert "emkit serve" in str(caught.value)


def test_client_against_a_closed_port_is_unreachable():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # the port is free again and nothing listens on it
    client = emkit.Client(url=f"http://127.0.0.1:{port}", token="x" * 43, timeout=5)
    with pytest.raises(emkit.ApiError) as caught:
        client.health()
    assert caught.value.status == 0
    assert caught.value.code == "unreachable"
    assert f"127.0.0.1:{port}" in caught.value.message


def test_stale_runtime_json_is_unreachable_not_a_crash(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    (tmp_path / "runtime.json").write_text(
        json.dumps({"url": f"http://127.0.0.1:{port}", "token": "t" * 43, "pid": 999999})
    )
    client = emkit.Client(home=str(tmp_path), timeout=5)
    with pytest.raises(emkit.ApiError) as caught:
        client.experiments.list()
    assert (caught.value.status, caught.value.code) == (0, "unreachable")
