"""emkit.drift: the per-feature figures against SciPy's own tests, and whole windows read
from a real SQLite payload log (the bridge's table layout) against a real reference file."""

import json
import os
import sqlite3
import subprocess
import sys
from typing import Any

import numpy
import pytest
from scipy.stats import chi2_contingency, ks_2samp

from emkit.drift import DriftError, payloads, reference, stats, window

SRC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")
TABLE = """CREATE TABLE inference_payloads (seq INTEGER PRIMARY KEY AUTOINCREMENT, inference_id TEXT NOT NULL,
  endpoint_id TEXT NOT NULL, stage_id TEXT NOT NULL, time TEXT NOT NULL, status INTEGER NOT NULL,
  instances TEXT, predictions TEXT, truncated INTEGER NOT NULL)"""
START, END = "2026-12-07T03:00:00.000Z", "2026-12-07T04:00:00.000Z"


def test_ks_matches_scipy():
    rng = numpy.random.default_rng(1)
    ref, cur = numpy.sort(rng.normal(size=3000)), numpy.sort(rng.normal(0.1, 1, size=2000))
    statistic, p_value = stats.ks(ref, cur)
    expected: Any = ks_2samp(ref, cur, method="asymp")
    assert statistic == pytest.approx(expected.statistic)
    assert p_value == pytest.approx(expected.pvalue, rel=0.05)


def test_ks_counts_ties_as_scipy_does():
    rng = numpy.random.default_rng(5)
    ref, cur = numpy.sort(rng.integers(0, 5, 500).astype(float)), numpy.sort(rng.integers(0, 6, 300).astype(float))
    expected: Any = ks_2samp(ref, cur, method="asymp")
    assert stats.ks(ref, cur)[0] == pytest.approx(expected.statistic)
    assert list(stats.right_ranks(numpy.array([1.0, 1.0, 2.0, 3.0, 3.0, 3.0]))) == [2, 2, 3, 6, 6, 6]


def test_chi2_matches_scipy():
    table = numpy.array([[30.0, 50.0, 20.0], [10.0, 70.0, 25.0]])
    statistic, p_value = stats.chi2(table)
    expected: Any = chi2_contingency(table, correction=False)
    assert statistic == pytest.approx(expected.statistic)
    assert p_value == pytest.approx(expected.pvalue)


def test_psi_is_small_for_the_same_distribution_and_large_for_a_shift():
    rng = numpy.random.default_rng(2)
    ref = stats.NumericReference(rng.normal(size=20000))
    same = stats.numeric(ref, rng.normal(size=5000))
    shifted = stats.numeric(ref, rng.normal(1.0, 1, size=5000))
    assert same.psi < 0.02 and same.p_value > 0.01
    assert shifted.psi > 0.5 and shifted.p_value < 1e-6


def test_categories_are_spelt_alike_on_both_sides():
    assert stats.counts([True, "true", 1.0, 1, None, float("nan"), "a", ["x"]]) == {
        "true": 2,
        "1": 2,
        "null": 2,
        "a": 1,
        "['x']": 1,
    }
    ref = stats.CategoricalReference({"a": 500, "b": 500})
    assert stats.categorical(ref, {"a": 480, "b": 520}).p_value > 0.01
    moved = stats.categorical(ref, {"a": 900, "b": 80, "c": 20})
    assert moved.p_value < 1e-6 and moved.psi > 0.2


def _reference_csv(folder, rows=4000, seed=3):
    rng = numpy.random.default_rng(seed)
    path = os.path.join(folder, "reference.csv")
    with open(path, "w") as file:
        file.write("age,income,city,label\n")
        for _ in range(rows):
            city = rng.choice(["seoul", "busan", "incheon"])
            file.write(f"{rng.normal(40, 10):.3f},{rng.normal(50, 5):.3f},{city},{rng.integers(0, 2)}\n")
    return path


def _payload_log(folder, requests, stage="stage-1"):
    db = os.path.join(folder, "bridge.db")
    connection = sqlite3.connect(db)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute(TABLE)
    connection.executemany(
        "INSERT INTO inference_payloads (inference_id, endpoint_id, stage_id, time, status, instances, predictions,"
        " truncated) VALUES (?, 'ep', ?, ?, ?, ?, ?, ?)",
        [
            (f"i{n}", stage, "2026-12-07T03:10:00.000Z", status, json.dumps(instances), json.dumps(answer), truncated)
            for n, (instances, answer, status, truncated) in enumerate(requests)
        ],
    )
    connection.commit()
    connection.close()
    return db


def _spec(folder, db, ref_path, **more):
    spec = {
        "db": db,
        "stageId": "stage-1",
        "start": START,
        "end": END,
        "reference": {"path": ref_path, "cacheDir": os.path.join(folder, "cache")},
        "minCount": 100,
        "pValue": 0.001,
    }
    spec.update(more)
    return spec


def _shifted_requests(count, seed=4, shift_income=True):
    rng = numpy.random.default_rng(seed)
    requests = []
    for _ in range(count):
        instance = {
            "age": round(float(rng.normal(40, 10)), 3),
            "income": round(float(rng.normal(65 if shift_income else 50, 5)), 3),
            "city": str(rng.choice(["seoul", "busan", "incheon"])),
        }
        requests.append(([instance], [int(instance["income"] > 55)], 200, 0))
    return requests


def test_a_window_flags_the_shifted_feature_and_not_the_others(tmp_path):
    folder = str(tmp_path)
    ref_path = _reference_csv(folder)
    requests = _shifted_requests(1500)
    requests.append(("cut {", None, 200, 1))  # truncated: left out
    requests.append(([{"age": 1}], None, 500, 0))  # an error answer: left out
    db = _payload_log(folder, requests)
    predictions = os.path.join(folder, "predictions.json")
    with open(predictions, "w") as file:
        json.dump([0] * 900 + [1] * 100, file)
    answer = window.compute(_spec(folder, db, ref_path, referencePredictions=predictions))
    assert answer["judged"] and answer["count"] == 1500 and answer["skipped"] == 2
    assert answer["reference"]["columns"] == ["age", "income", "city", "label"]
    by_name = {f["feature"]: f for f in answer["features"]}
    assert by_name["income"]["drifted"] and by_name["income"]["test"] == "ks"
    assert not by_name["age"]["drifted"] and not by_name["city"]["drifted"]
    assert by_name["city"]["kind"] == "categorical" and by_name["city"]["test"] == "chi2"
    assert answer["features"][0]["feature"] == "income"  # the worst first
    assert answer["prediction"]["drifted"] and answer["prediction"]["kind"] == "categorical"
    # the second window reads the cached summary, and says the same
    assert os.listdir(os.path.join(folder, "cache"))
    assert (
        window.compute(_spec(folder, db, ref_path, referencePredictions=predictions))["features"] == answer["features"]
    )


def test_a_busy_window_is_judged_on_an_even_sample_and_counted_whole(tmp_path, monkeypatch):
    folder = str(tmp_path)
    monkeypatch.setattr(payloads, "MAX_REQUESTS", 400)
    db = _payload_log(folder, _shifted_requests(1500))
    logged = payloads.read(db, "stage-1", START, END)
    assert logged.total == 1500 and 375 <= len(logged.instances) <= 400
    answer = window.compute(_spec(folder, db, _reference_csv(folder)))
    assert answer["count"] == 1500 and answer["judged"]
    assert {f["feature"] for f in answer["features"] if f["drifted"]} == {"income"}


def test_positional_instances_take_the_reference_columns_without_the_label(tmp_path):
    folder = str(tmp_path)
    ref_path = _reference_csv(folder)
    requests = [([[r[0][0]["age"], r[0][0]["income"], r[0][0]["city"]]], r[1], 200, 0) for r in _shifted_requests(300)]
    answer = window.compute(_spec(folder, _payload_log(folder, requests), ref_path))
    assert {f["feature"] for f in answer["features"] if f["drifted"]} == {"income"}


def test_too_few_inputs_are_not_judged(tmp_path):
    folder = str(tmp_path)
    db = _payload_log(folder, _shifted_requests(20))
    answer = window.compute(_spec(folder, db, _reference_csv(folder)))
    assert answer["count"] == 20 and not answer["judged"] and answer["features"] == []


def test_a_reference_lacking_the_model_inputs_is_refused_naming_them(tmp_path):
    folder = str(tmp_path)
    db = _payload_log(folder, _shifted_requests(200))
    with pytest.raises(DriftError) as refused:
        window.compute(_spec(folder, db, _reference_csv(folder), inputs=["age", "height", "weight"]))
    assert refused.value.status == 422 and "height, weight" in str(refused.value)
    # unknown inputs: the logged field names are checked the same way
    other = os.path.join(folder, "other")
    os.mkdir(other)
    odd = [([{"age": 1.0, "shoe": 40}], [0], 200, 0)] * 200
    with pytest.raises(DriftError, match="shoe"):
        window.compute(_spec(other, _payload_log(other, odd), _reference_csv(other)))


def test_the_reference_must_be_a_regular_file_within_the_cap(tmp_path):
    folder = str(tmp_path)
    ref_path = _reference_csv(folder)
    link = os.path.join(folder, "link.csv")
    os.symlink(ref_path, link)
    with pytest.raises(DriftError, match="cannot read the reference"):
        reference.read_frame(link, None, 1 << 20)
    with pytest.raises(DriftError, match="over the"):
        reference.read_frame(ref_path, None, 1000)
    with pytest.raises(DriftError, match="absolute"):
        reference.read_frame("reference.csv", None, 1 << 20)


def test_the_module_answers_one_json_line(tmp_path):
    folder = str(tmp_path)
    ref_path = _reference_csv(folder)
    db = _payload_log(folder, _shifted_requests(150))
    spec_path = os.path.join(folder, "spec.json")
    with open(spec_path, "w") as file:
        json.dump({**_spec(folder, db, ref_path), "inputs": ["age", "zip"]}, file)
    env = dict(os.environ, PYTHONPATH=SRC)
    done = subprocess.run([sys.executable, "-m", "emkit.drift", "window", spec_path], capture_output=True, env=env)
    assert done.returncode == 0
    answer = json.loads(done.stdout)
    assert answer["ok"] is False and answer["status"] == 422 and "zip" in answer["message"]
    with open(spec_path, "w") as file:
        json.dump({**_spec(folder, db, ref_path), "output": os.path.join(folder, "sample.json"), "rows": 50}, file)
    done = subprocess.run([sys.executable, "-m", "emkit.drift", "sample", spec_path], capture_output=True, env=env)
    answer = json.loads(done.stdout)
    assert answer == {"ok": True, "rows": 50, "columns": ["age", "income", "city"]}
    with open(os.path.join(folder, "sample.json")) as file:
        rows = json.load(file)
    assert len(rows) == 50 and set(rows[0]) == {"age", "income", "city"}


def test_the_long_lived_process_answers_each_request_in_order_and_serves_on(tmp_path):
    folder = str(tmp_path)
    ref_path = _reference_csv(folder)
    db = _payload_log(folder, _shifted_requests(300))
    requests = [
        {"id": 1, "mode": "window", "spec": _spec(folder, db, ref_path)},
        {"id": 2, "mode": "window", "spec": {**_spec(folder, db, ref_path), "inputs": ["age", "zip"]}},
        "not json {",
        {"id": 3, "mode": "nope", "spec": {}},
        {"id": 4, "mode": "window", "spec": {"db": db}},  # a spec without its reference: an answer, not an exit
        {"id": 5, "mode": "window", "spec": _spec(folder, db, ref_path)},
    ]
    lines = "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in requests)
    env = dict(os.environ, PYTHONPATH=SRC)
    done = subprocess.run(
        [sys.executable, "-m", "emkit.drift", "serve"], input=lines.encode(), capture_output=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    said = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert said[0] == {"ready": True}
    answers = said[1:]
    assert [a["id"] for a in answers] == [1, 2, None, 3, 4, 5]
    assert answers[0]["ok"] and {f["feature"] for f in answers[0]["features"] if f["drifted"]} == {"income"}
    assert answers[1]["ok"] is False and answers[1]["status"] == 422 and "zip" in answers[1]["message"]
    assert [a["ok"] for a in answers[2:5]] == [False, False, False]
    assert answers[4]["status"] == 500 and "KeyError" in answers[4]["message"]
    # the second window of the same reference reads the summary kept in memory: the same figures
    assert answers[5]["features"] == answers[0]["features"]


def test_a_kept_reference_summary_is_dropped_when_its_file_changes(tmp_path):
    folder = str(tmp_path)
    ref_path = _reference_csv(folder)
    given = {"path": ref_path}
    first = reference.load(given)
    assert reference.load(given).rows == first.rows == 4000
    _reference_csv(folder, rows=500, seed=9)  # rewritten in place: another size and time
    assert reference.load(given).rows == 500
