"""A stage's settings and lifecycle from Python, against the session's real bridge with real
workers: ``client.endpoints.update_stage / redeploy_stage / deactivate_stage / activate_stage``
and ``%emkit endpoint settings|redeploy|deactivate|activate``."""

from __future__ import annotations

import pytest

from magics import run
from test_client import _custom_model, _refused

ECHO = "def predict(instances):\n    return instances\n"


def _needs_file(path) -> str:
    """A custom model that loads a file it is given: it can't load until the file is there."""
    return (
        "def load():\n"
        f"    with open({str(path)!r}) as f:\n"
        "        return f.read().strip()\n\n"
        "def predict(model, instances):\n"
        "    return [model for _ in instances]\n"
    )


def test_client_settings_and_lifecycle(client, unique_name, tmp_path):
    model, name = unique_name("m"), unique_name("ep")
    _custom_model(client, tmp_path, model, ECHO)
    client.endpoints.create(name, model, wait=True, timeout=120)

    stage = client.endpoints.update_stage(
        name, "default", memory_limit_mb=256, payload_logging={"enabled": True, "sampleRate": 0.5}
    )
    assert stage["memoryLimitMb"] == 256
    assert stage["payloadLogging"]["enabled"] is True and stage["payloadLogging"]["sampleRate"] == 0.5
    assert stage["drift"] is None
    # left out: kept; None: off
    stage = client.endpoints.update_stage(name, "default", memory_limit_mb=None, description="in service")
    assert (stage["memoryLimitMb"], stage["description"], stage["payloadLogging"]["enabled"]) == (
        None,
        "in service",
        True,
    )
    refused = _refused(
        client.endpoints.update_stage, name, "default", payload_logging={"enabled": False}, drift={"window": "1h"}
    )
    assert (refused.status, refused.field) == (400, "drift")
    # payload logging is turned off by {"enabled": False}, not None (the API has no null for it)
    assert _refused(client.endpoints.update_stage, name, "default", payload_logging=None).status == 400

    stopped = client.endpoints.deactivate_stage(name, "default")
    assert stopped["state"] == "INACTIVE"
    down = _refused(client.endpoints.predict, name, [1])
    assert down.status == 503 and "INACTIVE" in down.message
    assert _refused(client.endpoints.deactivate_stage, name, "default").status == 409
    active = client.endpoints.activate_stage(name, "default", wait=True, timeout=120)
    assert active["state"] == "ACTIVE", active["stateReason"]
    assert client.endpoints.predict(name, [1, 2]) == [1, 2]
    assert _refused(client.endpoints.redeploy_stage, name, "default").status == 409

    # a failed stage, fixed, deployed again in place
    label = tmp_path / "label.txt"
    _custom_model(client, tmp_path, f"{model}-f", _needs_file(label))
    client.endpoints.add_stage(name, "fixme", f"{model}-f")
    failed = client.endpoints.wait_stage(name, "fixme", timeout=120)
    assert failed["state"] == "DEPLOY FAILED" and "label.txt" in failed["stateReason"]
    label.write_text("fixed\n")
    again = client.endpoints.redeploy_stage(name, "fixme", wait=True, timeout=120)
    assert again["state"] == "ACTIVE", again["stateReason"]
    assert client.endpoints.predict(name, [1], stage="fixme") == ["fixed"]
    client.endpoints.delete_stage(name, "fixme")
    client.endpoints.delete(name)


def test_magics_settings_and_lifecycle(shell, bridge_env, client, unique_name, tmp_path):
    model, name = unique_name("m"), unique_name("ep")
    _custom_model(client, tmp_path, model, ECHO)
    client.endpoints.create(name, model, wait=True, timeout=120)
    try:
        ran = run(
            shell,
            f"%emkit endpoint settings {name} default --memory-limit 300 --payload-logging on --sample-rate 0.25 "
            "--redact ssn --drift on --drift-window 10s",
        )
        assert ran.error is None, ran.text
        assert ran.value["memoryLimitMb"] == 300 and ran.value["drift"]["window"] == "10s"
        shown = ran.value._repr_html_()
        assert "300 MB" in shown and "on (25 %, redacting ssn)" in shown and "every 10s" in shown
        # one option changes one thing
        ran = run(shell, f"%emkit endpoint settings {name} default --sample-rate 1")
        assert ran.value["payloadLogging"]["redact"] == ["ssn"] and ran.value["payloadLogging"]["sampleRate"] == 1
        ran = run(
            shell, f"%emkit endpoint settings {name} default --drift off --payload-logging off --memory-limit none"
        )
        assert (ran.value["drift"], ran.value["memoryLimitMb"]) == (None, None)
        assert "say what to change" in run(shell, f"%emkit endpoint settings {name} default").one_line_error()

        ran = run(shell, f"%emkit endpoint deactivate {name} default")
        assert ran.error is None, ran.text
        assert ran.value["state"] == "INACTIVE" and "answer 503" in ran.stdout
        ran = run(shell, f"%emkit endpoint activate {name} default")
        assert ran.error is None, ran.text
        assert ran.value["state"] == "ACTIVE"
        assert "is ACTIVE; only a CREATE FAILED or DEPLOY FAILED" in (
            run(shell, f"%emkit endpoint redeploy {name} default").one_line_error()
        )
    finally:
        client.endpoints.delete(name)


def test_magics_refuse_bad_settings_before_the_bridge(shell, bridge_env):
    assert "neither on nor off" in run(shell, "%emkit endpoint settings ep default --drift maybe").one_line_error()
    assert "not 1 or more" in run(shell, "%emkit endpoint settings ep default --memory-limit 0").one_line_error()


@pytest.mark.parametrize("action", ["redeploy", "deactivate", "activate"])
def test_magics_lifecycle_on_an_unknown_endpoint(shell, bridge_env, action):
    assert "doesn't exist" in run(shell, f"%emkit endpoint {action} no-such-endpoint default").one_line_error()
