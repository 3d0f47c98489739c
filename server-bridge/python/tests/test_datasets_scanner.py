"""The datasets' scanner (emkit.datasets) on real files: tables, class folders, hashes, checks, zips."""

from __future__ import annotations

import base64
import io
import json
import math
import os
import stat
import struct
import wave
import zipfile
from types import SimpleNamespace

import pytest

from emkit.datasets import DatasetRefused
from emkit.datasets.__main__ import main
from emkit.datasets.files import Limits, list_files
from emkit.datasets.scan import check, scan
from emkit.datasets.unzip import unzip

LIMITS = Limits(max_files=1000, max_bytes=50 << 20, max_file_bytes=10 << 20)


def _png(path, size=(100, 80)):
    Image = pytest.importorskip("PIL.Image")
    Image.new("RGB", size, (200, 30, 30)).save(path)


def _wav(path, seconds, rate=8000):
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        frames = int(rate * seconds)
        out.writeframes(b"".join(struct.pack("<h", int(3000 * math.sin(n / 5))) for n in range(frames)))


def test_csv_columns_types_nulls_distinct_and_rows(tmp_path):
    table = tmp_path / "t.csv"
    table.write_text("n,x,flag,word\n1,0.5,true,가\n2,,false,b\n3,2,true,\n", encoding="utf-8")
    result = scan(str(table), LIMITS)
    assert result["kind"] == "table" and result["format"] == "csv"
    assert result["schema"]["rows"] == 3
    assert result["schema"]["columns"] == [
        {"name": "n", "type": "integer", "nulls": 0, "distinct": 3},
        {"name": "x", "type": "number", "nulls": 1, "distinct": 2},
        {"name": "flag", "type": "boolean", "nulls": 0, "distinct": 2},
        {"name": "word", "type": "string", "nulls": 1, "distinct": 2},
    ]
    assert result["preview"]["rows"][0] == {"n": 1, "x": 0.5, "flag": True, "word": "가"}
    assert result["preview"]["rows"][2]["x"] == 2.0  # a number column's integers are numbers
    assert result["files"] == 1 and result["bytes"] == table.stat().st_size


def test_jsonl_and_parquet(tmp_path):
    lines = tmp_path / "t.jsonl"
    lines.write_text('{"a": 1, "b": "x"}\n{"a": 2.5}\n{"a": null, "b": "y", "c": true}\n')
    result = scan(str(lines), LIMITS)
    assert [(c["name"], c["type"], c["nulls"]) for c in result["schema"]["columns"]] == [
        ("a", "number", 1),
        ("b", "string", 1),
        ("c", "boolean", 2),
    ]
    pandas = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    pq = tmp_path / "t.parquet"
    pandas.DataFrame({"a": [1, 2, 3], "s": ["x", None, "z"]}).to_parquet(pq)
    result = scan(str(pq), LIMITS)
    assert result["schema"]["rows"] == 3
    assert [(c["name"], c["type"], c["nulls"]) for c in result["schema"]["columns"]] == [
        ("a", "integer", 0),
        ("s", "string", 1),
    ]


def test_a_bad_table_is_refused(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"a": 1}\nnot json\n')
    with pytest.raises(DatasetRefused, match="line 2"):
        scan(str(bad), LIMITS)
    latin = tmp_path / "latin.csv"
    latin.write_bytes("a\ncaf\xe9\n".encode("latin-1"))
    with pytest.raises(DatasetRefused, match="UTF-8"):
        scan(str(latin), LIMITS)


def test_class_folders_counts_samples_and_skipped(tmp_path):
    root = tmp_path / "data"
    for name in ("cat", "dog", "bird", "empty"):
        (root / name).mkdir(parents=True)
    for i in range(4):
        _png(root / "cat" / f"{i}.png")
        _wav(root / "bird" / f"{i}.wav", 0.25 * (i + 1))
    (root / "dog" / "a.txt").write_text("멍멍 " * 100, encoding="utf-8")
    (root / "dog" / "b.txt").write_bytes(b"\xff\xfe not utf-8 \xff")
    (root / "cat" / "broken.png").write_bytes(b"nope")
    os.mkfifo(root / "cat" / "pipe.png")
    os.symlink("/dev/zero", root / "cat" / "zero.png")
    result = scan(str(root), LIMITS)
    schema = result["schema"]
    assert schema["kind"] == "class-folders"
    assert schema["classes"] == [
        {"name": "bird", "count": 4, "sampleKind": "audio"},
        {"name": "cat", "count": 4, "sampleKind": "image"},
        {"name": "dog", "count": 1, "sampleKind": "text"},
        {"name": "empty", "count": 0, "sampleKind": "other"},
    ]
    assert sorted(s["file"] for s in schema["skipped"]) == [
        "cat/broken.png",
        "cat/pipe.png",
        "cat/zero.png",
        "dog/b.txt",
    ]
    assert schema["skippedCount"] == 4
    samples = {group["class"]: group["samples"] for group in result["preview"]["samples"]}
    assert [s["durationSeconds"] for s in samples["bird"]] == [0.25, 0.5, 0.75]
    thumbnail = samples["cat"][0]["thumbnail"]
    assert thumbnail.startswith("data:image/png;base64,")
    Image = pytest.importorskip("PIL.Image")
    with Image.open(io.BytesIO(base64.b64decode(thumbnail.split(",", 1)[1]))) as small:
        assert max(small.size) == 64
    assert samples["dog"][0]["snippet"] == ("멍멍 " * 100)[:200]
    assert samples["empty"] == []


def test_a_folders_hash_is_the_evaluation_runners(tmp_path):
    from emkit.evaluation.datasets import open_dataset

    root = tmp_path / "data"
    for name in ("a", "b"):
        (root / name / "deeper").mkdir(parents=True)
        (root / name / "x.txt").write_text(f"{name} x")
        (root / name / "deeper" / "y.txt").write_text(f"{name} y")
    ours = scan(str(root), LIMITS)["sha256"]
    dataset = open_dataset(SimpleNamespace(path=str(root), format="folder", label=None, features=None))
    for _ in dataset.batches(10):
        pass
    assert ours == dataset.sha256


def test_files_kind_and_empty_folder(tmp_path):
    (tmp_path / "mixed").mkdir()
    (tmp_path / "mixed" / "notes.bin").write_bytes(b"\0\1")
    (tmp_path / "mixed" / "sub").mkdir()
    (tmp_path / "mixed" / "sub" / "x").write_text("x")
    assert scan(str(tmp_path / "mixed"), LIMITS)["kind"] == "files"
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / ".hidden").write_text("x")
    with pytest.raises(DatasetRefused, match="no files"):
        scan(str(tmp_path / "empty"), LIMITS)


def test_caps(tmp_path):
    for i in range(5):
        (tmp_path / f"{i}.txt").write_text("12345")
    with pytest.raises(DatasetRefused, match="more than the 3 files"):
        list_files(str(tmp_path), Limits(3, 1 << 20, 1 << 20))
    with pytest.raises(DatasetRefused, match="more than"):
        list_files(str(tmp_path), Limits(100, 12, 1 << 20))
    files, skipped = list_files(str(tmp_path), Limits(100, 1 << 20, 4))
    assert files == [] and len(skipped) == 5


def test_check_compares_times_first_then_the_hash(tmp_path):
    table = tmp_path / "t.csv"
    table.write_text("a\n1\n")
    first = scan(str(table), LIMITS)
    assert check(str(table), LIMITS, first["fingerprint"], first["sha256"]) == {
        "same": True,
        "hashed": False,
        "sha256": first["sha256"],
    }
    os.utime(table, (1, 1))
    touched = check(str(table), LIMITS, first["fingerprint"], first["sha256"])
    assert touched["same"] and touched["hashed"]
    table.write_text("a\n2\n")
    changed = check(str(table), LIMITS, first["fingerprint"], first["sha256"])
    assert not changed["same"] and changed["sha256"] != first["sha256"]
    table.unlink()
    assert check(str(table), LIMITS, first["fingerprint"], first["sha256"])["same"] is False


def _zip(path, entries):
    with zipfile.ZipFile(path, "w") as bundle:
        for name, data in entries:  # a name, or a ZipInfo (to set a link's mode)
            bundle.writestr(name, data)
    return str(path)


def test_unzip_takes_the_folder_named_like_the_zip(tmp_path):
    archive = _zip(tmp_path / "pets.zip", [("pets/", ""), ("pets/cat/a.txt", "meow"), ("__MACOSX/._x", "junk")])
    root = unzip(archive, str(tmp_path / "out"), LIMITS, "pets")
    assert root == str(tmp_path / "out" / "pets")
    assert (tmp_path / "out" / "pets" / "cat" / "a.txt").read_text() == "meow"
    assert not (tmp_path / "out" / "__MACOSX").exists()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("../evil.txt", '".."'),
        ("a/../../evil.txt", '".."'),
        ("/tmp/evil.txt", "absolute"),
        ("a\\..\\evil", "backslash"),
    ],
)
def test_unzip_refuses_escaping_entries_before_writing(tmp_path, name, message):
    archive = _zip(tmp_path / "bad.zip", [("ok.txt", "fine"), (name, "out")])
    with pytest.raises(DatasetRefused, match=message):
        unzip(archive, str(tmp_path / "out"), LIMITS, "bad")
    assert not (tmp_path / "out").exists()
    assert not (tmp_path / "evil.txt").exists()


def test_unzip_refuses_links_and_oversize(tmp_path):
    link = zipfile.ZipInfo("a/link")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    with pytest.raises(DatasetRefused, match="symbolic link"):
        unzip(_zip(tmp_path / "l.zip", [(link, "/etc/passwd")]), str(tmp_path / "o1"), LIMITS, "l")
    big = _zip(tmp_path / "big.zip", [("a.txt", "x" * 2000)])
    with pytest.raises(DatasetRefused, match="size"):
        unzip(big, str(tmp_path / "o2"), Limits(10, 1 << 20, 1000), "big")
    with pytest.raises(DatasetRefused, match="unpacks to more"):
        unzip(big, str(tmp_path / "o3"), Limits(10, 1000, 1 << 20), "big")
    (tmp_path / "not.zip").write_text("plain text")
    with pytest.raises(DatasetRefused, match=r"readable \.zip"):
        unzip(str(tmp_path / "not.zip"), str(tmp_path / "o4"), LIMITS, "not")


def test_main_writes_the_scan_and_exits_3_with_a_message_on_refusal(tmp_path, capsys):
    table = tmp_path / "t.csv"
    table.write_text("a\n1\n")
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"path": str(table), "output": str(tmp_path / "scan.json")}))
    assert main(["scan", str(spec)]) == 0
    assert json.loads((tmp_path / "scan.json").read_text())["kind"] == "table"
    (tmp_path / "empty").mkdir()
    spec.write_text(json.dumps({"path": str(tmp_path / "empty"), "output": str(tmp_path / "scan2.json")}))
    assert main(["scan", str(spec)]) == 3
    assert "no files" in json.loads(capsys.readouterr().out.strip().splitlines()[-1])["message"]
    assert not (tmp_path / "scan2.json").exists()
    assert main(["nope", str(spec)]) == 2
