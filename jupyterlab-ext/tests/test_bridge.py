"""How the Jupyter server side finds the bridge: the CLI's order, read afresh each time."""

import json

from emkit_jupyterlab.bridge import find_bridge


def test_environment_comes_first(tmp_path):
    (tmp_path / "runtime.json").write_text(json.dumps({"url": "http://127.0.0.1:1", "token": "file"}))
    found = find_bridge({"EMKIT_URL": "http://127.0.0.1:8765/", "EMKIT_TOKEN": "t", "EMKIT_HOME": str(tmp_path)})
    assert (found.url, found.token, found.source) == ("http://127.0.0.1:8765", "t", "environment")


def test_runtime_json_of_the_home(tmp_path):
    (tmp_path / "runtime.json").write_text(json.dumps({"url": "http://127.0.0.1:9000", "token": "abc", "pid": 1}))
    found = find_bridge({"EMKIT_HOME": str(tmp_path)})
    assert (found.url, found.token, found.source, found.home) == (
        "http://127.0.0.1:9000",
        "abc",
        "runtime.json",
        str(tmp_path),
    )


def test_no_bridge_yet_then_one_starts(tmp_path):
    environ = {"EMKIT_HOME": str(tmp_path)}
    assert find_bridge(environ).source is None
    (tmp_path / "runtime.json").write_text("{")  # being written
    assert find_bridge(environ).url is None
    (tmp_path / "runtime.json").write_text(json.dumps({"url": "http://127.0.0.1:9001", "token": "x"}))
    assert find_bridge(environ).url == "http://127.0.0.1:9001"


def test_a_url_without_a_token_is_not_enough(tmp_path):
    found = find_bridge({"EMKIT_URL": "http://127.0.0.1:8765", "EMKIT_HOME": str(tmp_path)})
    assert found.source is None
