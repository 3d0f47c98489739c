"""The early-stopping rule and the quality notes: the parser against the cases the TypeScript side
is tested with, and the client and magics against a real bridge with real trainings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict

import pytest
from IPython.lib.pretty import pretty

import emkit
from emkit.quality import EarlyStopError, early_stopping_body, format_early_stop, parse_early_stop, quality_notes
from magics import run

CASES_FILE = Path(__file__).resolve().parents[3] / "shared" / "src" / "workflows" / "early-stop.cases.json"
CASES = json.loads(CASES_FILE.read_text(encoding="utf-8"))["cases"] if CASES_FILE.is_file() else []

# validation loss best at epoch 2, then worse for good, while the training loss keeps falling;
# the script then idles until stopped, so only an early stop ends it soon
OVERFITTING = (
    "import time\n"
    "from emkit.tracking import flush, log_metric\n"
    "for epoch, v in enumerate([1.0, 0.8, 0.6, 0.65, 0.62, 0.7, 0.75, 0.8]):\n"
    "    log_metric('loss', 1.0 / (epoch + 1), epoch)\n"
    "    log_metric('val_loss', v, epoch)\n"
    "flush()\n"
    "time.sleep(60)\n"
    "print('all epochs done')\n"
)


@pytest.mark.skipif(
    not CASES, reason="shared/src/workflows/early-stop.cases.json is absent (not a repository checkout)"
)
@pytest.mark.parametrize("case", CASES, ids=[c["text"] for c in CASES])
def test_follows_the_shared_cases(case: Dict[str, Any]):
    if "error" in case:
        with pytest.raises(EarlyStopError) as caught:
            parse_early_stop(case["text"])
        assert str(caught.value) == case["error"]
    else:
        assert parse_early_stop(case["text"]) == case["rule"]


def test_the_rule_from_a_dict_or_text_and_back():
    assert early_stopping_body({"metric": "val_loss", "mode": "min", "patience": 3, "min_delta": 0.01}) == {
        "metric": "val_loss",
        "mode": "min",
        "patience": 3,
        "minDelta": 0.01,
    }
    assert early_stopping_body("acc:max:2") == {"metric": "acc", "mode": "max", "patience": 2}
    assert format_early_stop(parse_early_stop("val/acc:max:3:0.001")) == "val/acc:max:3:0.001"
    assert format_early_stop(None) == ""


def test_the_notes_say_what_the_typescript_side_says():
    quality = {
        "pairs": [],
        "overfitting": {
            "metric": "loss",
            "train": "loss",
            "validation": "val_loss",
            "fromStep": 3,
            "best": 0.7,
            "lastStep": 8,
        },
        "plateau": None,
        "nonFinite": [{"tag": "loss", "step": 2, "value": "NaN"}],
        "earlyStopped": {"metric": "val_loss", "mode": "min", "step": 6, "best": 0.123456789, "bestStep": 3},
    }
    # the same sentences as shared/src/quality/quality.test.ts expects
    assert quality_notes(quality) == [
        "loss is NaN at step 2.",
        "Overfitting likely from step 3: val_loss has risen since while loss kept falling.",
        "Early stopped at step 6; best val_loss=0.123457 at step 3.",
    ]
    assert quality_notes(None) == []


def test_the_client_submits_a_rule_the_bridge_enforces(client, unique_name, tmp_path):
    script = tmp_path / "overfit.py"
    script.write_text(OVERFITTING)
    name = unique_name("es")
    training = client.trainings.create(
        str(script),
        name=name,
        early_stopping={"metric": "val_loss", "mode": "min", "patience": 3},
        wait=True,
        timeout=60,
    )
    assert training["state"] == "COMPLETE", training["stateReason"]
    assert training["stateReason"] == "early stopped at step 5; best val_loss=0.6 at step 2"
    assert "all epochs done" not in client.trainings.log(name)
    quality = client.trainings.quality(name)
    assert quality["pairs"] == [{"metric": "loss", "train": "loss", "validation": "val_loss"}]
    assert quality["earlyStopped"]["step"] == 5
    assert quality["overfitting"]["fromStep"] == 2

    kept = client.trainings.copy(name, name=unique_name("es-kept"))
    assert kept["earlyStopping"] == training["earlyStopping"]
    dropped = client.trainings.copy(name, name=unique_name("es-none"), early_stopping=None)
    assert dropped["earlyStopping"] is None
    for copy in (kept, dropped):
        client.trainings.stop(copy["id"])
        client.trainings.wait(copy["id"], timeout=30)

    with pytest.raises(emkit.ApiError) as caught:
        client.trainings.create(str(script), early_stopping={"metric": "val_loss", "mode": "min", "patience": 0})
    assert (caught.value.status, caught.value.field) == (400, "earlyStopping.patience")
    with pytest.raises(EarlyStopError):
        client.trainings.create(str(script), early_stopping="val_loss:lowest:3")


def test_the_magic_takes_early_stop_and_shows_the_flags(shell, bridge_env, tmp_path, unique_name, client):
    script = tmp_path / "overfit.py"
    script.write_text(OVERFITTING)
    name = unique_name("es-magic")
    ran = run(shell, f"%emkit train {script} --name {name} --early-stop val_loss:min:3 --wait")
    assert ran.error is None, ran.text
    record = ran.value
    assert record["state"] == "COMPLETE"
    assert record["earlyStopping"] == {"metric": "val_loss", "mode": "min", "patience": 3, "minDelta": 0}
    shown = pretty(record)  # what the notebook shows as text
    assert "early stopping: val_loss:min:3" in shown
    assert "Overfitting likely from step 2" in shown
    assert "Early stopped at step 5; best val_loss=0.6 at step 2." in shown

    copy_name = unique_name("es-magic-copy")
    copied = run(shell, f"%emkit copy {name} --name {copy_name} --no-early-stop").value
    assert copied["earlyStopping"] is None
    client.trainings.stop(copy_name)
    client.trainings.wait(copy_name, timeout=30)

    refused = run(shell, f"%emkit train {script} --early-stop val_loss:min:0").one_line_error()
    assert "patience must be a whole number from 1 to 100000" in refused
