"""``client.payloads`` and ``%emkit endpoint payloads|feedback|quality`` against a real bridge and a
real worker: payload logging turned on, requests logged redacted, labels sent back and the
rolling accuracy they give; an unknown inference id refused (404) and counted. The cases in
detail are in test/integration/payloads.test.ts."""

from __future__ import annotations

import pytest

import emkit
from magics import run

PREDICT = """
def load():
    return None

def predict(model, instances):
    return [int(x["x"]) for x in instances]
"""


@pytest.fixture(scope="module")
def logged(bridge, tmp_path_factory):
    """An endpoint serving a custom model that answers each instance's ``x``, payload logging on."""
    model_dir = tmp_path_factory.mktemp("echo-model")
    (model_dir / "predict.py").write_text(PREDICT)
    client = emkit.Client(url=bridge.url, token=bridge.token, timeout=30)
    client.models.create("payloads-echo", artifact_path=str(model_dir), framework="custom")
    endpoint = client.endpoints.create("payloads-echo", "payloads-echo", wait=True, timeout=120)
    assert endpoint["state"] == "ACTIVE", endpoint["stateReason"]
    client.request(
        "PATCH",
        "/api/v1/endpoints/payloads-echo/stages/default",
        {"payloadLogging": {"enabled": True, "redact": ["secret"]}},
    )
    yield client
    client.endpoints.delete("payloads-echo")


def test_client_lists_redacted_payloads_and_takes_feedback(logged):
    for x in (0, 1, 1, 0):
        logged.endpoints.predict("payloads-echo", [{"x": x, "secret": "s3cr3t"}])
    items = logged.payloads.list("payloads-echo", limit=4)
    assert [p["predictions"] for p in items] == [[0], [1], [1], [0]]
    assert all(p["instances"][0]["secret"] == "[redacted]" for p in items)
    one = logged.payloads.list("payloads-echo", inference_id=items[0]["inferenceId"])
    assert [p["seq"] for p in one] == [items[0]["seq"]]

    # two right, two wrong: accuracy 0.5
    labels = [0, 0, 1, 1]
    assert logged.payloads.feedback("payloads-echo", items[0]["inferenceId"], labels[0]) == 1
    rest = [{"inferenceId": p["inferenceId"], "label": label} for p, label in zip(items[1:], labels[1:])]
    assert logged.payloads.feedback("payloads-echo", items=rest) == 3
    quality = logged.payloads.quality("payloads-echo")
    assert quality["task"] == "classification"
    assert quality["windows"][-1]["count"] == 4
    assert quality["windows"][-1]["metrics"]["accuracy"] == pytest.approx(0.5)

    with pytest.raises(emkit.ApiError) as refused:
        logged.payloads.feedback("payloads-echo", "no-such-id", 1)
    assert refused.value.status == 404 and "no-such-id" in str(refused.value)
    assert logged.payloads.quality("payloads-echo")["unmatchedFeedback"] == 1
    with pytest.raises(ValueError, match="inference_id and label"):
        logged.payloads.feedback("payloads-echo")


def test_magics_show_payloads_take_a_label_and_show_quality(shell, bridge_env, logged):
    logged.endpoints.predict("payloads-echo", [{"x": 1, "secret": "s3cr3t"}])
    shown = run(shell, "%emkit endpoint payloads payloads-echo --limit 1")
    assert shown.error is None, shown.text
    [payload] = shown.value
    assert payload["instances"] == [{"x": 1, "secret": "[redacted]"}]
    assert "s3cr3t" not in repr(shown.value)

    sent = run(shell, f"%emkit endpoint feedback payloads-echo --inference-id {payload['inferenceId']} --label 1")
    assert sent.error is None, sent.text
    assert "1 label(s) kept" in sent.stdout

    quality = run(shell, "%emkit endpoint quality payloads-echo --window 1d")
    assert quality.error is None, quality.text
    assert "task: classification" in quality.stdout
    assert quality.value[-1]["labels"] >= 1 and "accuracy" in quality.value[-1]

    unknown = run(shell, "%emkit endpoint feedback payloads-echo --inference-id nope --label 1")
    assert "nope" in unknown.one_line_error()
