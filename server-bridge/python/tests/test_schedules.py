"""``client.schedules`` and ``%emkit schedule`` against the real bridge: a chain made from flags runs
when asked, its history reads back, and bad input is one line saying why."""

from __future__ import annotations

import pytest

import emkit
from magics import run

TRAIN = (
    "import os, pathlib\n"
    "(pathlib.Path(os.environ['EM_MODEL_DIR']) / 'predict.py').write_text(\n"
    "    'def load():\\n    return None\\n\\ndef predict(model, instances):\\n    return [0 for _ in instances]\\n'\n"
    ")\n"
)


@pytest.fixture
def template(client, tmp_path, unique_name):
    (tmp_path / "train.py").write_text(TRAIN)
    return client.trainings.create(str(tmp_path / "train.py"), name=unique_name("tpl"), wait=True, timeout=120)


def test_client_round_trip(client, template, unique_name):
    name = unique_name("sched")
    steps = [{"kind": "training", "training": template["id"], "model": name}]
    created = client.schedules.create(name, steps, cron="0 9 * * 1-5", timezone="Asia/Seoul", paused=True)
    assert created["state"] == "PAUSED" and created["nextRuns"] == []
    assert client.schedules.get(name)["id"] == created["id"]
    assert name in [s["name"] for s in client.schedules.list()]

    run_ = client.schedules.run(name, wait=True, timeout=120)
    assert run_["state"] == "COMPLETE", run_
    assert run_["trigger"] == "manual"
    assert run_["steps"][0]["outcome"].endswith(f"registered {name}:1")
    assert [r["number"] for r in client.schedules.runs(name)] == [1]

    resumed = client.schedules.resume(name)
    assert resumed["state"] == "ACTIVE" and len(resumed["nextRuns"]) == 5
    changed = client.schedules.update(name, every="1h")
    assert changed["cron"] is None and changed["every"] == "1h" and changed["timezone"] is None
    assert client.schedules.pause(name)["state"] == "PAUSED"
    assert len(client.schedules.preview(every="30s", count=3)) == 3
    client.schedules.delete(name)
    with pytest.raises(emkit.ApiError) as gone:
        client.schedules.get(name)
    assert gone.value.status == 404


def test_client_refuses_an_invalid_cron_saying_why(client):
    with pytest.raises(emkit.ApiError) as refused:
        client.schedules.preview(cron="61 * * * *")
    assert refused.value.status == 400 and refused.value.field == "cron"
    assert "minute: 61" in refused.value.message


def test_magics(shell, bridge_env, template, unique_name):
    name = unique_name("magic")
    made = run(shell, f"%emkit schedule create {name} --every 1h --training {template['id']} --paused")
    assert made.error is None, made.text
    assert made.value["state"] == "PAUSED"
    assert [s["kind"] for s in made.value["steps"]] == ["training"]

    started = run(shell, f"%emkit schedule run {name} --wait")
    assert started.error is None, started.text
    assert f"run 1 of {name}: COMPLETE" in started.stdout

    runs = run(shell, f"%emkit schedule runs {name}")
    assert [r["state"] for r in runs.value] == ["COMPLETE"]
    listed = run(shell, "%emkit schedule list")
    assert name in [s["name"] for s in listed.value]
    assert run(shell, f"%emkit schedule resume {name}").stdout == f"schedule {name}: ACTIVE\n"
    assert run(shell, f"%emkit schedule pause {name}").stdout == f"schedule {name}: PAUSED\n"
    assert "deleted" in run(shell, f"%emkit schedule delete {name}").stdout


def test_magics_notebook_by_path(shell, bridge_env, unique_name, tmp_path):
    script = tmp_path / "fit.py"
    script.write_text('print("fit")\n')
    name = unique_name("by-path")
    made = run(shell, f"%emkit schedule create {name} --every 1h --notebook {script} --hp lr=0.1 --paused")
    assert made.error is None, made.text
    assert made.value["steps"] == [{"kind": "training", "path": str(script), "hyperparameters": {"lr": "0.1"}}]
    started = run(shell, f"%emkit schedule run {name} --wait")
    assert started.error is None, started.text
    assert f"run 1 of {name}: COMPLETE" in started.stdout
    run(shell, f"%emkit schedule delete {name}")


def test_magics_bad_input_is_one_line(shell, bridge_env, unique_name):
    bad = run(shell, f"%emkit schedule create {unique_name('bad')} --cron '61 * * * *' --batch /nowhere.csv")
    assert "minute: 61" in bad.one_line_error()
    both = run(shell, f"%emkit schedule create {unique_name('bad')} --cron '* * * * *' --every 5m --batch x")
    assert "not allowed with argument" in both.one_line_error()
    nothing = run(shell, f"%emkit schedule create {unique_name('bad')} --every 5m")
    assert "say what runs" in nothing.one_line_error()
