"""audio-classification end to end, as the runner runs it: spoken words synthesised with
espeak-ng (skipped, saying why, where it isn't installed) and, whatever is installed, tones of
three pitches written in four WAV formats (8/16-bit, float, stereo; 8 to 44.1 kHz). Holdout
accuracy ≥ 0.8 each, corrupt files skipped and listed, per-class precision/recall in
result.json, and the model folder served by the custom loader from raw base64."""

from __future__ import annotations

import base64

import pytest

pytest.importorskip("torch", reason="PyTorch isn't installed in this interpreter")
pytest.importorskip("scipy", reason="SciPy isn't installed in this interpreter")

from emkit.serving.loaders import load
from media_data import ESPEAK, NO_ESPEAK, b64, speak, spoken_words, tone, tones, write_wav
from recipes import run_builtin, scalars

MODEL_TYPE = "audio-classification"


@pytest.fixture(scope="module")
def tones_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("tones")
    data = tones(root / "tones")
    (data / "low" / "corrupt.wav").write_bytes(b"RIFF\x10\x00\x00\x00WAVEfmt nonsense")
    (data / "high" / "noise.wav").write_bytes(bytes(range(256)) * 4)
    run = run_builtin(root / "training", MODEL_TYPE, data)
    assert run.returncode == 0, run.stderr
    return run


def test_tones_of_three_pitches_in_four_wav_formats_reach_the_holdout_accuracy(tones_run):
    figures = tones_run.result["classification"]
    assert figures["accuracy"] >= 0.8, figures
    assert figures["classes"] == ["high", "low", "middle"]
    assert all(row["precision"] is not None and row["recall"] is not None for row in figures["perClass"])
    assert figures["hasScores"] is True
    assert tones_run.result["rows"] == 18  # 20% of 90, stratified
    assert "holdout accuracy" in tones_run.stdout


def test_corrupt_wav_files_are_skipped_and_listed(tones_run):
    assert "skipped 2 files: high/noise.wav (isn't a readable WAV file: " in tones_run.stderr
    assert ", low/corrupt.wav (isn't a readable WAV file: " in tones_run.stderr


def test_each_epoch_is_a_point_of_the_audio_curves(tones_run):
    curves = scalars(tones_run.tensorboard)
    for name in ("loss", "accuracy", "val_loss", "val_accuracy"):
        assert [step for step, _ in curves[name]][:30] == list(range(1, 31)), name


def test_the_audio_model_serves_raw_base64_wav_of_any_rate(tones_run, tmp_path):
    import random

    recipe = tones_run.recipe
    assert recipe["modelType"] == MODEL_TYPE and recipe["input"] == "audio"
    assert recipe["classes"] == ["high", "low", "middle"]
    model = load("custom", str(tones_run.model_dir))
    rng = random.Random(99)  # notes the model hasn't heard, at a rate none of its files had
    low = write_wav(tmp_path / "low.wav", tone(220.0, rng, 11025), 11025)
    high = write_wav(tmp_path / "high.wav", tone(1244.0, rng, 11025), 11025, "float32")
    upload = {"b64": b64(low), "filename": "low.wav", "contentType": "audio/wav"}
    assert model.predict([upload, b64(high)]) == ["low", "high"]
    assert model.scores is not None
    labels, scores, classes = model.scores([upload])
    assert labels == ["low"] and classes == ["high", "low", "middle"] and scores[0][1] == max(scores[0])


@pytest.mark.parametrize(
    ("instance", "message"),
    [
        (base64.b64encode(b"ID3 an mp3, not a wav").decode(), "instance 0 isn't a readable WAV file"),
        ({"b64": "%%%"}, "instance 0 isn't valid base64"),
        (None, "instance 0 must be a base64 string"),
    ],
)
def test_a_bad_raw_sound_is_a_value_error_naming_it(tones_run, instance, message):
    model = load("custom", str(tones_run.model_dir))
    with pytest.raises(ValueError, match="^" + message):
        model.predict([instance])


def test_a_wav_with_no_samples_is_refused_naming_the_upload(tones_run, tmp_path):
    empty = write_wav(tmp_path / "empty.wav", [], 16000)
    model = load("custom", str(tones_run.model_dir))
    with pytest.raises(ValueError, match=r"^instance 0 \(empty\.wav\) holds no samples"):
        model.predict([{"b64": b64(empty), "filename": "empty.wav"}])


def test_a_class_with_only_corrupt_sounds_is_refused_naming_them(tmp_path):
    data = tones(tmp_path / "tones", per_class=4, pitches={"low": 220.0, "high": 1244.0})
    for path in (data / "high").iterdir():
        path.write_bytes(b"not a wav")
    run = run_builtin(tmp_path / "training", MODEL_TYPE, data, {"epochs": 1})
    assert run.returncode == 1
    assert run.error_line().startswith('the class folder "high" has no readable WAV files: high/001.wav (')
    assert "high/003.wav (isn't a readable WAV file: " in run.error_line()


@pytest.mark.skipif(ESPEAK is None, reason=NO_ESPEAK)
def test_spoken_words_reach_the_holdout_accuracy_and_a_new_voice_is_understood(tmp_path):
    data = spoken_words(tmp_path / "words")
    run = run_builtin(tmp_path / "training", MODEL_TYPE, data)
    assert run.returncode == 0, run.stderr
    figures = run.result["classification"]
    assert figures["accuracy"] >= 0.8, figures
    assert figures["classes"] == ["down", "no", "up", "yes"]
    assert all(row["precision"] is not None and row["recall"] is not None for row in figures["perClass"])
    model = load("custom", str(run.model_dir))
    # a speed and pitch the training never heard
    said = [speak(tmp_path / "new" / f"{word}.wav", word, "en-us", 165, 50) for word in ("yes", "no", "up", "down")]
    assert model.predict([b64(path) for path in said]) == ["yes", "no", "up", "down"]


# --- the features, alone ------------------------------------------------------------------------


def test_a_tone_lights_the_mel_band_of_its_pitch():
    import math

    import torch

    from emkit.recipes.modeltypes._log_mel import LogMel

    rate, n_mels = 16000, 40
    features = LogMel(rate, n_mels)
    assert (features.win_length, features.hop_length, features.n_fft) == (400, 160, 512)
    time = torch.arange(rate) / rate
    spectrogram = features(torch.sin(2 * math.pi * 1000.0 * time)[None, :])
    assert tuple(spectrogram.shape) == (1, n_mels, 101)
    band = int(spectrogram[0].mean(dim=1).argmax())
    # the band whose triangle peaks nearest 1 kHz on the HTK mel scale
    top = 2595.0 * math.log10(1 + 8000 / 700)
    centres = [700 * (10 ** (top * (i + 1) / (n_mels + 1) / 2595) - 1) for i in range(n_mels)]
    assert band == min(range(n_mels), key=lambda i: abs(centres[i] - 1000.0))


def test_a_sound_starts_at_its_first_sound_and_is_cut_or_padded_at_the_new_rate():
    import numpy

    from emkit.recipes.modeltypes._media import fit_sound

    quiet_then_click = numpy.concatenate([numpy.zeros(800), numpy.ones(80), numpy.zeros(120)]).astype(numpy.float32)
    fitted = fit_sound(8000, quiet_then_click, 16000, 0.5)
    assert fitted.shape == (8000,) and fitted.dtype == numpy.float32
    assert abs(float(fitted[0])) > 0.5  # the quiet before the click is gone
    assert float(numpy.abs(fitted[1000:]).max()) == 0.0  # padded with silence
    assert fit_sound(16000, numpy.ones(40000, dtype=numpy.float32), 16000, 2.0).shape == (32000,)
