"""A built-in recipe refuses what it can't train on with one line saying what to fix: exit 2
for a bad parameter, 1 for the data. One run as the runner runs it; the others call
``main`` in this process (the same code, without a second interpreter's start-up)."""

from __future__ import annotations

import pytest

from emkit.recipes import main
from recipes import run_builtin
from recipes import train_in_process as train

pytest.importorskip("sklearn", reason="scikit-learn isn't installed in this interpreter")

TABLE = "a,b,kind\n1,2,x\n2,3,x\n3,4,y\n4,5,y\n5,6,x\n6,7,y\n"


def table(tmp_path, text: str = TABLE):
    path = tmp_path / "table.csv"
    path.write_text(text)
    return path


def test_a_bad_parameter_exits_2_naming_it_as_the_runner_runs_it(tmp_path):
    run = run_builtin(tmp_path / "training", "number-classification", table(tmp_path), {"label": "kind", "k": "0"})
    assert run.returncode == 2
    assert run.error_line() == "--k must be from 1 to 100, not 0"
    assert not (tmp_path / "training" / "model" / "recipe.json").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--k", "three"], "--k must be a whole number, not 'three'"),
        (["--weights", "closest"], "--weights must be one of uniform, distance, not 'closest'"),
        (["--scale", "maybe"], "--scale must be true or false, not 'maybe'"),
        (["--holdout", "0.9"], "--holdout must be from 0.05 to 0.5, not 0.9"),
        (["--colour", "red"], "unknown parameter --colour: the number-classification recipe takes label, features"),
        ([], "--label is required: the column holding the class"),
    ],
)
def test_parameters_are_checked_against_the_catalog(tmp_path, monkeypatch, capsys, argv, message):
    monkeypatch.setenv("EM_DATASET_TRAIN", str(table(tmp_path)))
    assert main("number-classification", (["--label", "kind"] if argv else []) + argv) == 2
    assert capsys.readouterr().err.strip().startswith(f"[emkit] {message}")


def test_a_missing_label_column_names_the_columns_found(tmp_path, monkeypatch, capsys):
    status, line, _ = train(tmp_path, monkeypatch, capsys, "number-classification", table(tmp_path), label="species")
    assert (status, line) == (1, 'no label column "species" in table.csv: its columns are a, b, kind')


def test_a_missing_feature_column_is_named(tmp_path, monkeypatch, capsys):
    data = table(tmp_path)
    status, line, _ = train(tmp_path, monkeypatch, capsys, "number-prediction", data, target="b", features="a,c")
    assert (status, line) == (1, 'no feature column "c" in table.csv: its columns are a, b, kind')


def test_a_non_numeric_value_names_its_column_and_row(tmp_path, monkeypatch, capsys):
    data = table(tmp_path, TABLE.replace("4,5,y", "4,five,y"))
    status, line, _ = train(tmp_path, monkeypatch, capsys, "number-classification", data, label="kind")
    assert status == 1
    assert line == "column \"b\" of table.csv isn't numeric: row 5 has 'five' (choose numeric feature columns)"


def test_an_empty_value_names_its_column_and_row(tmp_path, monkeypatch, capsys):
    data = table(tmp_path, TABLE.replace("3,4,y", ",4,y"))
    status, line, _ = train(tmp_path, monkeypatch, capsys, "clustering", data, k=2)
    assert (status, line) == (1, 'column "a" of table.csv has an empty value in row 4: fill it or drop the row')


def test_a_non_numeric_target_is_refused(tmp_path, monkeypatch, capsys):
    status, line, _ = train(tmp_path, monkeypatch, capsys, "number-prediction", table(tmp_path), target="kind")
    assert status == 1
    assert line.startswith("column \"kind\" of table.csv isn't numeric: row 2 has 'x'")


def test_a_single_class_is_refused(tmp_path, monkeypatch, capsys):
    data = table(tmp_path, TABLE.replace(",y", ",x"))
    status, line, _ = train(tmp_path, monkeypatch, capsys, "number-classification", data, label="kind")
    assert (status, line) == (1, 'table.csv has a single class ("x"): a classifier needs at least two')


def test_a_class_of_one_example_is_refused(tmp_path, monkeypatch, capsys):
    data = table(tmp_path, TABLE + "7,8,z\n")
    status, line, _ = train(tmp_path, monkeypatch, capsys, "number-classification", data, label="kind", k=1)
    assert status == 1
    assert line == 'class "z" has 1 example: each class needs at least 2 (one to train on, one to hold out)'


def test_k_larger_than_the_training_rows_is_refused(tmp_path, monkeypatch, capsys):
    status, line, _ = train(tmp_path, monkeypatch, capsys, "number-classification", table(tmp_path), label="kind")
    assert (status, line) == (1, "k=5 is more than the 4 training rows: lower k or give more data")


def test_an_empty_class_folder_is_refused(tmp_path, monkeypatch, capsys):
    data = tmp_path / "texts"
    (data / "cats").mkdir(parents=True)
    (data / "cats" / "a.txt").write_text("meow")
    (data / "dogs").mkdir()
    status, line, _ = train(tmp_path, monkeypatch, capsys, "text-classification", data)
    assert status == 1
    assert line == 'the class folder "dogs" has no text files (.txt): add some, or remove the folder'


def test_a_class_folder_of_unreadable_files_only_is_refused_naming_them(tmp_path, monkeypatch, capsys):
    data = tmp_path / "texts"
    for label in ("cats", "dogs"):
        (data / label).mkdir(parents=True)
    (data / "cats" / "a.txt").write_text("meow")
    (data / "dogs" / "a.txt").write_bytes(b"\xff\xfe\xfa")
    (data / "dogs" / "b.txt").write_text("  \n")
    status, line, _ = train(tmp_path, monkeypatch, capsys, "text-classification", data)
    assert status == 1
    assert line == (
        'the class folder "dogs" has no readable text files: dogs/a.txt (UnicodeDecodeError), dogs/b.txt (empty)'
    )


def test_a_single_class_folder_is_refused(tmp_path, monkeypatch, capsys):
    data = tmp_path / "texts"
    (data / "cats").mkdir(parents=True)
    (data / "cats" / "a.txt").write_text("meow")
    status, line, _ = train(tmp_path, monkeypatch, capsys, "text-classification", data)
    assert (status, line) == (1, 'texts has a single class ("cats"): a classifier needs at least two')


def test_a_text_table_without_its_text_column_names_the_columns(tmp_path, monkeypatch, capsys):
    data = table(tmp_path, "body,label\nhello,a\nbye,b\n")
    status, line, _ = train(tmp_path, monkeypatch, capsys, "text-classification", data)
    assert (status, line) == (1, 'no text column "text" in table.csv: its columns are body, label')


def test_absent_data_and_no_data_are_refused(tmp_path, monkeypatch, capsys):
    status, line, _ = train(tmp_path, monkeypatch, capsys, "clustering", tmp_path / "absent.csv")
    assert (status, line) == (1, f"the training data {tmp_path / 'absent.csv'} doesn't exist")
    monkeypatch.delenv("EM_DATASET_TRAIN")
    assert main("clustering", []) == 1
    assert "no training data: EM_DATASET_TRAIN isn't set" in capsys.readouterr().err
