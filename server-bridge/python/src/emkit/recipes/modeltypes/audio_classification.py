"""audio-classification: class folders of WAV files → log-mel spectrograms → a small CNN.

Each sound is made mono, resampled to ``sample_rate``, started at its first sound and cut or
padded to ``max_seconds`` (_media.fit_sound); its log-mel spectrogram (``n_mels`` bands, 25 ms
frames every 10 ms: _log_mel.LogMel), standardised with the training part's mean and standard
deviation, is a one-channel picture for the same small CNN as images. ``model.pt`` holds the
state_dict and all that computes the same features at serving time.
"""

from __future__ import annotations

import os
from typing import List

from ..context import Context
from ..split import holdout_split
from ..trained import FilesHoldout, TrainedModel
from . import _media, _networks
from ._class_files import read_examples
from ._log_mel import LogMel

SUFFIXES = (".wav", ".wave")
MODEL_FILE = "model.pt"
FORMAT = 1  # model.pt's layout, checked when it's loaded


class AudioModel:
    """A trained sound classifier, as training leaves it and serving loads it."""

    def __init__(self, network, classes: List[str], sample_rate: int, max_seconds: float, n_mels: int):
        self.network = network
        self.classes = classes
        self.sample_rate = sample_rate
        self.max_seconds = max_seconds
        self.n_mels = n_mels
        self.log_mel = LogMel(sample_rate, n_mels)
        self.mean, self.std = 0.0, 1.0  # of the training part's log-mel values

    def sound(self, data: bytes, name: str):
        rate, samples = _media.read_wav(data, name)
        return _media.fit_sound(rate, samples, self.sample_rate, self.max_seconds)

    def features(self, sounds):
        """``[N, L]`` samples → standardised log-mel ``[N, 1, n_mels, frames]``."""
        return ((self.log_mel(sounds) - self.mean) / self.std).unsqueeze(1)

    def probabilities(self, sounds):
        return _networks.probabilities(self.network, self.features(sounds))


def train(context: Context) -> TrainedModel:
    import numpy
    import torch

    params = context.params
    model = AudioModel(None, [], int(params["sample_rate"]), float(params["max_seconds"]), int(params["n_mels"]))
    examples = read_examples(context, SUFFIXES, "WAV", model.sound)
    model.classes = list(examples.classes)
    train_rows, held = holdout_split(len(examples.labels), context.holdout, context.seed, examples.labels)
    number = {label: i for i, label in enumerate(examples.classes)}
    targets = torch.tensor([number[label] for label in examples.labels], dtype=torch.long)
    spectrograms = model.log_mel(torch.from_numpy(numpy.stack(examples.items)))
    fitted = spectrograms[torch.as_tensor(train_rows)]
    model.mean, model.std = float(fitted.mean()), float(fitted.std()) or 1.0
    inputs = ((spectrograms - model.mean) / model.std).unsqueeze(1)
    torch.manual_seed(context.seed)
    model.network = _networks.small_cnn(1, len(examples.classes))
    context.log(
        f"training a CNN from scratch on {model.n_mels}-band log-mel spectrograms ({inputs.shape[3]} frames: "
        f"{model.max_seconds:g} s at {model.sample_rate} Hz): {len(examples.classes)} classes, "
        f"{len(train_rows)} sounds, {len(held)} held out"
    )
    epochs = _networks.fit_logged(context, model.network, inputs, targets, train_rows, held)

    def save(model_dir: str) -> None:
        _save(model, model_dir)

    holdout = FilesHoldout([(examples.paths[i], examples.labels[i]) for i in held])
    return TrainedModel("audio", save, holdout, classes=list(examples.classes), last_step=epochs)


def _save(model: AudioModel, model_dir: str) -> None:
    import torch

    torch.save(
        {
            "format": FORMAT,
            "state_dict": model.network.state_dict(),
            "classes": list(model.classes),
            "sample_rate": model.sample_rate,
            "max_seconds": model.max_seconds,
            "n_mels": model.n_mels,
            "mean": model.mean,
            "std": model.std,
        },
        os.path.join(model_dir, MODEL_FILE),
    )


def load(model_dir: str, recipe: dict) -> AudioModel:
    saved = _networks.load_file(os.path.join(model_dir, MODEL_FILE), FORMAT)
    classes = [str(c) for c in saved["classes"]]
    network = _networks.small_cnn(1, len(classes))
    network.load_state_dict(saved["state_dict"])
    network.eval()
    model = AudioModel(network, classes, int(saved["sample_rate"]), float(saved["max_seconds"]), int(saved["n_mels"]))
    model.mean, model.std = float(saved["mean"]), float(saved["std"])
    return model


def _sounds(model: AudioModel, instances: list):
    """Raw inputs → samples ``[N, L]``; a bad one raises a ValueError naming it."""
    import numpy
    import torch

    if not instances:
        raise ValueError("instances is empty: send at least one WAV file")
    return torch.from_numpy(
        numpy.stack([model.sound(*_media.raw_input(instance, index)) for index, instance in enumerate(instances)])
    )


def predict_scores(model: AudioModel, instances: list):
    """``(labels, scores)``: each sound's class and its probability per class, in ``classes`` order."""
    return _networks.labelled(model.probabilities(_sounds(model, instances)), model.classes)


def predict(model: AudioModel, instances: list) -> list:
    return predict_scores(model, instances)[0]
