"""image-classification end to end, as the runner runs it, on scikit-learn's bundled digits
(0-3, 8x8, written as PNG and JPEG class folders): holdout accuracy ≥ 0.85 with corrupt files
skipped and listed, curves per epoch, per-class precision/recall in result.json, and the model
folder served by the custom loader from raw base64. Then the refusals, and the optional
pretrained backbone (a torch.export program made here; an absent one is an error)."""

from __future__ import annotations

import base64
import io

import pytest

pytest.importorskip("torch", reason="PyTorch isn't installed in this interpreter")
pytest.importorskip("sklearn", reason="scikit-learn isn't installed in this interpreter")

from emkit.serving.loaders import load
from media_data import b64, digits_folder
from recipes import run_builtin, scalars

MODEL_TYPE = "image-classification"


@pytest.fixture(scope="module")
def digits(tmp_path_factory):
    """One training on the digits, shared by the tests that look at its outcome."""
    root = tmp_path_factory.mktemp("images")
    data = digits_folder(root / "digits")
    (data / "2" / "corrupt.png").write_bytes(b"\x89PNG\r\n\x1a\n but not really")
    jpeg = next((data / "3").glob("*.jpg")).read_bytes()
    (data / "3" / "truncated.jpg").write_bytes(jpeg[: len(jpeg) // 3])
    (data / "1" / "notes.txt").write_text("not an image")
    run = run_builtin(root / "training", MODEL_TYPE, data)
    assert run.returncode == 0, run.stderr
    return run


def test_digits_reach_the_holdout_accuracy_with_per_class_figures(digits):
    figures = digits.result["classification"]
    assert figures["accuracy"] >= 0.85, figures
    assert figures["classes"] == ["0", "1", "2", "3"]
    assert all(row["precision"] >= 0.7 and row["recall"] >= 0.7 for row in figures["perClass"])
    assert figures["hasScores"] is True
    # the holdout is a class-folder tree of the held-out files (20%, stratified), unreadable ones left out
    held = sorted(p for p in (digits.artifacts / "holdout").rglob("*") if p.is_file())
    assert len(held) == digits.result["rows"] == 144
    assert not any(p.name in ("corrupt.png", "truncated.jpg") for p in held)
    assert "holdout accuracy" in digits.stdout


def test_corrupt_images_are_skipped_and_listed(digits):
    assert "skipped 2 files: 2/corrupt.png (isn't an image Pillow can read (PNG or JPEG))" in digits.stderr
    assert ", 3/truncated.jpg (is a corrupt or truncated image: " in digits.stderr
    assert "ignored 1 files that aren't image files" in digits.stdout  # notes.txt


def test_each_epoch_is_a_point_of_the_curves(digits):
    curves = scalars(digits.tensorboard)
    for name in ("loss", "accuracy", "val_loss", "val_accuracy"):
        assert [step for step, _ in curves[name]][:15] == list(range(1, 16)), name
    assert curves["loss"][-1][1] < curves["loss"][0][1]


def test_the_model_folder_serves_raw_base64_images(digits):
    recipe = digits.recipe
    assert recipe["modelType"] == MODEL_TYPE and recipe["input"] == "image"
    assert recipe["classes"] == ["0", "1", "2", "3"]
    assert recipe["parameters"]["image_size"] == 32
    assert sorted(p.name for p in digits.model_dir.iterdir() if p.suffix != ".pyc") >= [
        "model.pt",
        "predict.py",
        "recipe.json",
    ]
    model = load("custom", str(digits.model_dir))
    three = next((digits.artifacts / "holdout" / "3").glob("*.png"))
    one = next((digits.artifacts / "holdout" / "1").iterdir())
    upload = {"b64": b64(three), "filename": three.name, "contentType": "image/png"}
    data_url = "data:image/png;base64," + b64(one)
    assert model.predict([upload, b64(one), data_url]) == ["3", "1", "1"]
    assert model.scores is not None
    labels, scores, classes = model.scores([upload])
    assert labels == ["3"] and classes == ["0", "1", "2", "3"]
    assert len(scores[0]) == 4 and scores[0][3] == max(scores[0]) and abs(sum(scores[0]) - 1) < 1e-4


def test_a_bigger_photo_of_another_size_and_mode_is_resized(digits):
    from PIL import Image

    # a held-out "2" enlarged to 120x90 RGBA, as a learner's upload would be
    two = next((digits.artifacts / "holdout" / "2").glob("*.png"))
    image = Image.open(two).resize((120, 90), Image.Resampling.NEAREST).convert("RGBA")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    model = load("custom", str(digits.model_dir))
    assert model.predict([base64.b64encode(buffer.getvalue()).decode()]) == ["2"]


@pytest.mark.parametrize(
    ("instance", "message"),
    [
        ("not base64 at all!", "instance 0 isn't valid base64"),
        (base64.b64encode(b"hello, not an image").decode(), "instance 0 isn't an image Pillow can read"),
        ({"filename": "cat.png"}, 'instance 0 has no "b64"'),
        (42, "instance 0 must be a base64 string"),
    ],
)
def test_a_bad_raw_input_is_a_value_error_naming_it(digits, instance, message):
    model = load("custom", str(digits.model_dir))
    with pytest.raises(ValueError, match="^" + message):
        model.predict([instance])


def test_a_truncated_upload_says_so_with_its_file_name(digits):
    model = load("custom", str(digits.model_dir))
    png = next((digits.artifacts / "holdout" / "0").glob("*.png")).read_bytes()
    truncated = {"b64": base64.b64encode(png[:60]).decode(), "filename": "zero.png"}
    with pytest.raises(ValueError, match=r"^instance 0 \(zero\.png\) is a corrupt or truncated image"):
        model.predict([truncated])


# --- refusals -----------------------------------------------------------------------------------


def _two_classes(root, first: int = 8, second: int = 8):
    """A small two-class folder of drawn squares and circles."""
    from PIL import Image, ImageDraw

    for label, count in (("circle", first), ("square", second)):
        folder = root / label
        folder.mkdir(parents=True)
        for number in range(count):
            image = Image.new("RGB", (24, 24), "black")
            draw = ImageDraw.Draw(image)
            box = (4 + number % 3, 4, 18 + number % 3, 18)
            (draw.ellipse if label == "circle" else draw.rectangle)(box, fill="white")
            image.save(folder / f"{number}.png")
    return root


def test_a_class_with_only_corrupt_images_is_refused_naming_them(tmp_path):
    data = _two_classes(tmp_path / "shapes", second=0)
    (data / "square" / "a.png").write_bytes(b"nope")
    (data / "square" / "b.jpg").write_bytes(b"\xff\xd8\xff nope")
    run = run_builtin(tmp_path / "training", MODEL_TYPE, data, {"epochs": 1})
    assert run.returncode == 1
    assert run.error_line().startswith(
        'the class folder "square" has no readable image files: '
        "square/a.png (isn't an image Pillow can read (PNG or JPEG)), square/b.jpg ("
    )
    assert not (run.model_dir / "recipe.json").exists()


def test_an_empty_class_folder_and_a_single_class_are_refused(tmp_path):
    data = _two_classes(tmp_path / "shapes")
    (data / "triangle").mkdir()
    run = run_builtin(tmp_path / "empty", MODEL_TYPE, data, {"epochs": 1})
    assert run.returncode == 1 and 'the class folder "triangle" has no image files' in run.error_line()
    (data / "triangle").rmdir()
    for path in (data / "square").iterdir():
        path.unlink()
    (data / "square").rmdir()
    run = run_builtin(tmp_path / "single", MODEL_TYPE, data, {"epochs": 1})
    assert run.returncode == 1 and 'has a single class ("circle")' in run.error_line()


def test_an_absent_backbone_is_an_error_saying_scratch_is_the_default(tmp_path):
    data = _two_classes(tmp_path / "shapes")
    absent = tmp_path / "weights" / "resnet18.pt2"
    run = run_builtin(tmp_path / "training", MODEL_TYPE, data, {"backbone": str(absent)})
    assert run.returncode == 1
    assert run.error_line() == (
        f"the backbone {absent} is absent: emkit never downloads one. Put a torch.export .pt2 file there, "
        "or leave backbone empty to train from scratch (the default)"
    )
    assert "Traceback" not in run.stderr


def test_a_backbone_that_is_no_exported_program_is_refused(tmp_path):
    data = _two_classes(tmp_path / "shapes")
    fake = tmp_path / "backbone.pt2"
    fake.write_bytes(b"PK\x03\x04 not a program")
    run = run_builtin(tmp_path / "training", MODEL_TYPE, data, {"backbone": str(fake)})
    assert run.returncode == 1
    assert run.error_line().startswith(f"the backbone {fake} isn't a torch.export program (.pt2")


# --- a pretrained backbone on disk --------------------------------------------------------------


def _exported_backbone(path):
    """A small feature extractor, exported with a dynamic batch as a .pt2 program: what a user
    makes of a pretrained model with torch.export (its weights here are random but fixed)."""
    import torch
    from torch import nn

    torch.manual_seed(1)
    module = nn.Sequential(nn.Conv2d(3, 8, 3, stride=2, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(4)).eval()
    example = (torch.rand(2, 3, 32, 32),)
    program = torch.export.export(module, example, dynamic_shapes=({0: torch.export.Dim("batch")},))
    torch.export.save(program, str(path))
    return path


def test_a_backbone_on_disk_trains_a_head_and_travels_with_the_model(tmp_path):
    backbone = _exported_backbone(tmp_path / "features.pt2")
    data = _two_classes(tmp_path / "shapes", 12, 12)
    hyperparameters = {"backbone": str(backbone), "epochs": 30, "learning_rate": 0.05}
    run = run_builtin(tmp_path / "training", MODEL_TYPE, data, hyperparameters)
    assert run.returncode == 0, run.stderr
    assert f"a linear head on the frozen backbone {backbone} (128 features)" in run.stdout
    assert (run.model_dir / "backbone.pt2").read_bytes() == backbone.read_bytes()
    backbone.unlink()  # the model folder holds its own copy
    model = load("custom", str(run.model_dir))
    circle = next((data / "circle").iterdir())
    square = next((data / "square").iterdir())
    assert model.predict([b64(circle), b64(square)]) == ["circle", "square"]
    assert run.result["classification"]["accuracy"] >= 0.8
