"""Model activation from Python: ``client.models.deactivate/activate``, ``delete(with_sources=True)``
and ``%emkit model activate|deactivate``, against the real bridge, with a custom predict.py model."""

from __future__ import annotations

import pytest

from emkit.client import ApiError
from magics import run

ECHO_MODEL = "def predict(instances):\n    return [x[0] for x in instances]\n"


@pytest.fixture
def echo_model(client, unique_name, tmp_path):
    name = unique_name("active")
    folder = tmp_path / name
    folder.mkdir()
    (folder / "predict.py").write_text(ECHO_MODEL)
    client.models.create(name, artifact_path=str(folder))
    return name


def test_a_deactivated_version_is_refused_a_quick_test_until_reactivated(client, echo_model):
    off = client.models.deactivate(f"{echo_model}:1")
    assert off["state"] == "INACTIVE"
    assert client.models.get(echo_model)["state"] == "INACTIVE"
    with pytest.raises(ApiError) as refused:
        client.models.predict(f"{echo_model}:1", [[1]])
    assert refused.value.status == 409
    assert refused.value.code == "conflict"
    assert f"emkit model activate {echo_model}:1" in refused.value.message

    assert client.models.activate(f"{echo_model}:1")["state"] == "ACTIVE"
    assert client.models.predict(f"{echo_model}:1", [[7]])["predictions"] == [7]


def test_delete_with_sources_only_takes_a_deactivated_version(client, echo_model):
    with pytest.raises(ApiError) as refused:
        client.models.delete(f"{echo_model}:1", with_sources=True)
    assert refused.value.status == 409
    assert f"emkit model deactivate {echo_model}:1" in refused.value.message
    assert client.models.get(f"{echo_model}:1")["state"] == "ACTIVE"

    client.models.deactivate(f"{echo_model}:1")
    client.models.delete(f"{echo_model}:1", with_sources=True)
    with pytest.raises(ApiError) as gone:
        client.models.get(f"{echo_model}:1")
    assert gone.value.status == 404


def test_magics_deactivate_and_activate(shell, bridge_env, client, echo_model):
    ran = run(shell, f"%emkit model deactivate {echo_model}:1")
    assert ran.error is None, ran.text
    assert f"model {echo_model}:1 is INACTIVE" in ran.text
    assert client.models.get(echo_model)["state"] == "INACTIVE"

    listed = run(shell, f"%emkit model list {echo_model}")
    assert listed.error is None, listed.text
    assert "INACTIVE" in str(listed.html() or listed.text or listed.value)

    again = run(shell, f"%emkit model activate {echo_model}:1")
    assert again.error is None, again.text
    assert f"model {echo_model}:1 is ACTIVE" in again.text
    assert client.models.get(echo_model)["state"] == "ACTIVE"
