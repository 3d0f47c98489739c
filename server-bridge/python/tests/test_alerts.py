"""``client.alerts`` and ``%emkit alerts`` against the real bridge: a rule made, read, changed and deleted,
its webhook shown with the credentials hidden, bad input refused naming the field, and the overview."""

from __future__ import annotations

import pytest

import emkit
from magics import run


def test_client_round_trip(client, unique_name):
    name = unique_name("stalled")
    created = client.alerts.create(
        name,
        "training.minutesSinceProgress",
        ">",
        10,
        for_seconds=0,
        severity="critical",
        webhook="https://bot:hunter2-secret@chat.example.com/hook?token=abc123",
    )
    assert created["state"] == "OK" and created["resource"] is None and created["severity"] == "critical"
    assert "hunter2-secret" not in created["webhook"] and "abc123" not in created["webhook"]
    assert client.alerts.get(name)["id"] == created["id"]
    assert name in [r["name"] for r in client.alerts.list()]

    changed = client.alerts.update(name, threshold=30, enabled=False, webhook=None)
    assert changed["threshold"] == 30 and changed["enabled"] is False and changed["webhook"] is None
    # what the change leaves out stays as it was (no default filled in)
    assert changed["forSeconds"] == 0 and changed["severity"] == "critical"
    assert client.alerts.events(rule=name) == []
    client.alerts.delete(name)
    with pytest.raises(emkit.ApiError) as gone:
        client.alerts.get(name)
    assert gone.value.status == 404


def test_client_refuses_bad_rules_naming_the_field(client, unique_name):
    with pytest.raises(emkit.ApiError) as series:
        client.alerts.create(unique_name("bad"), "endpoint.mood", ">", 1, resource="x")
    assert series.value.status == 400 and series.value.field == "series"
    with pytest.raises(emkit.ApiError) as webhook:
        client.alerts.create(unique_name("bad"), "training.nanLoss", ">=", 1, webhook="ftp://chat.example.com/x")
    assert webhook.value.status == 400 and webhook.value.field == "webhook"
    with pytest.raises(emkit.ApiError) as missing:
        client.alerts.create(unique_name("bad"), "endpoint.errorRate", ">", 0.1, resource="no-such-endpoint")
    assert missing.value.status == 404 and "no-such-endpoint" in missing.value.message


def test_magics(shell, bridge_env, unique_name):
    name = unique_name("magic-nan")
    made = run(shell, f"%emkit alerts create {name} --series training.nanLoss --op '>=' --threshold 1 --for 0")
    assert made.error is None, made.text
    assert made.value["series"] == "training.nanLoss" and made.value["forSeconds"] == 0

    overview = run(shell, "%emkit alerts")
    assert overview.error is None, overview.text
    assert name in [r["name"] for r in overview.value["rules"]]
    assert isinstance(overview.value["events"], list)
    assert "alert rules" in overview.value._repr_html_()

    changed = run(shell, f"%emkit alerts update {name} --disable --severity info")
    assert changed.value["enabled"] is False and changed.value["severity"] == "info"
    assert run(shell, f"%emkit alerts events --rule {name}").value == []
    assert "deleted" in run(shell, f"%emkit alerts delete {name}").stdout


def test_magics_bad_input_is_one_line(shell, bridge_env, unique_name):
    missing = run(shell, f"%emkit alerts create {unique_name('bad')} --series training.nanLoss")
    assert "needs --op, --threshold" in missing.one_line_error()
    bad = run(shell, f"%emkit alerts create {unique_name('bad')} --series endpoint.errorRate --op '>' --threshold 1")
    assert "resource" in bad.one_line_error()
