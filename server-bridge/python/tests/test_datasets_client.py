"""client.datasets and %emkit dataset against a real bridge: create, upload (a file, a folder zipped
here), preview, versions, a training that names a dataset, the magic, delete."""

from __future__ import annotations

import pytest

from emkit.client import ApiError, _dataset_value
from magics import run


def _classes(root, texts):
    for name, lines in texts.items():
        (root / name).mkdir(parents=True)
        for i, line in enumerate(lines):
            (root / name / f"{i}.txt").write_text(line, encoding="utf-8")
    return root


def test_create_upload_preview_version_delete(client, unique_name, tmp_path):
    table = tmp_path / "t.csv"
    table.write_text("a,label\n1,x\n2,y\n3,x\n")
    name = unique_name("ds")
    made = client.datasets.create(name, str(table), reference=True, description="three rows")
    assert made["mode"] == "reference" and made["latest"]["schema"]["rows"] == 3
    assert client.datasets.preview(name, rows=1)["rows"] == [{"a": 1, "label": "x"}]
    assert client.datasets.update(name, "three rows, then four")["description"] == "three rows, then four"

    table.write_text("a,label\n1,x\n2,y\n3,x\n4,y\n")
    assert client.datasets.version(name)["version"] == 2
    assert [v["version"] for v in client.datasets.versions(name)] == [2, 1]
    assert client.datasets.preview(f"{name}:1")["schema"]["rows"] == 3

    folder = _classes(tmp_path / "langs", {"ko": ["안녕", "고마워요"], "en": ["hi"], "empty": []})
    uploaded = client.datasets.upload(unique_name("up"), str(folder))
    assert uploaded["source"] is None
    assert [(c["name"], c["count"]) for c in uploaded["latest"]["schema"]["classes"]] == [
        ("empty", 0),
        ("en", 1),
        ("ko", 2),
    ]
    single = client.datasets.upload(unique_name("up"), str(table))
    assert single["latest"]["schema"]["rows"] == 4

    client.datasets.delete(name)
    with pytest.raises(ApiError) as gone:
        client.datasets.get(name)
    assert gone.value.status == 404


def test_a_dataset_name_goes_to_the_bridge_as_it_is(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert _dataset_value("digits") == "digits"
    assert _dataset_value("digits:3") == "digits:3"
    (tmp_path / "digits").mkdir()  # a folder of that name here: the path wins
    assert _dataset_value("digits") == str(tmp_path / "digits")
    assert _dataset_value("data.csv") == str(tmp_path / "data.csv")


def test_a_training_names_a_dataset(client, unique_name, tmp_path):
    folder = _classes(tmp_path / "data", {"a": ["one"], "b": ["two"]})
    name = unique_name("ds")
    client.datasets.create(name, str(folder))
    source = tmp_path / "src"
    source.mkdir()
    (source / "train.py").write_text("import os\nprint('DATA', sorted(os.listdir(os.environ['EM_DATASET_TRAIN'])))\n")
    training = client.trainings.create(str(source), entry_point="train.py", datasets={"train": name}, wait=True)
    assert training["state"] == "COMPLETE", training.get("stateReason")
    assert training["datasets"] == {"train": f"{name}:1"}
    assert "DATA ['a', 'b']" in client.trainings.log(training["id"])
    with pytest.raises(ApiError) as unknown:
        client.trainings.create(str(source), entry_point="train.py", datasets={"train": "no-such-dataset"})
    assert (unknown.value.status, unknown.value.field) == (404, "datasets.train")


def test_the_magic(shell, bridge_env, unique_name, tmp_path):
    folder = _classes(tmp_path / "words", {"ko": ["오늘 날씨가 좋네요"], "en": ["lovely weather"]})
    name = unique_name("ds")
    ran = run(shell, f"%emkit dataset upload {name} {folder}")
    assert ran.error is None, ran.text
    assert ran.value["latest"]["schema"]["kind"] == "class-folders"
    shown = run(shell, f"%emkit dataset preview {name}")
    assert shown.error is None, shown.text
    html = shown.value._repr_html_()
    assert "오늘 날씨가 좋네요" in html and "ko" in html
    listed = run(shell, "%emkit list datasets").value
    assert name in [d["name"] for d in listed]
    assert "1 of 1" in run(shell, f"%emkit dataset get {name}").value._repr_html_()
    missing = run(shell, "%emkit dataset get no-such-dataset")
    assert "doesn't exist" in missing.one_line_error()
    deleted = run(shell, f"%emkit dataset delete {name}")
    assert f"dataset {name} deleted" in deleted.text
