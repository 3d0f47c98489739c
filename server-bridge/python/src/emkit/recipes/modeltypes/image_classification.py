"""image-classification: class folders of PNG/JPEG images → a small CNN (PyTorch, CPU).

Images are squashed to ``image_size`` pixels a side in RGB (_media.image_array) and a CNN is
trained from scratch (_networks.small_cnn); with ``backbone`` (a .pt2 file already on disk), a
linear head on that frozen backbone's features instead. The model folder holds ``model.pt``
(the state_dict and what rebuilds the network, read back with ``weights_only=True``: loading a
model runs no pickled code) and, with a backbone, its copy ``backbone.pt2``, so that the model
doesn't depend on the file it came from.
"""

from __future__ import annotations

import os
import shutil
from typing import List

from ..context import Context
from ..split import holdout_split
from ..trained import FilesHoldout, TrainedModel
from . import _backbone, _media, _networks
from ._class_files import read_examples

SUFFIXES = (".png", ".jpg", ".jpeg")
MODEL_FILE = "model.pt"
FORMAT = 1  # model.pt's layout, checked when it's loaded


class ImageModel:
    """A trained image classifier, as training leaves it and serving loads it."""

    def __init__(self, network, classes: List[str], image_size: int, backbone=None):
        self.network = network
        self.classes = classes
        self.image_size = image_size
        self.backbone = backbone  # the frozen feature extractor, or None

    def inputs(self, images):
        """What the trained network takes: the images, or the backbone's features of them."""
        return images if self.backbone is None else _backbone.features(self.backbone, images)

    def probabilities(self, images):
        return _networks.probabilities(self.network, self.inputs(images))


def train(context: Context) -> TrainedModel:
    import numpy
    import torch

    params = context.params
    size = int(params["image_size"])
    backbone_file = str(params.get("backbone") or "")
    backbone = _backbone.load_backbone(backbone_file) if backbone_file else None  # before the reading: fail fast

    def decode(data: bytes, name: str):
        return _media.image_array(_media.read_image(data, name), size)

    examples = read_examples(context, SUFFIXES, "image", decode)
    train_rows, held = holdout_split(len(examples.labels), context.holdout, context.seed, examples.labels)
    number = {label: i for i, label in enumerate(examples.classes)}
    targets = torch.tensor([number[label] for label in examples.labels], dtype=torch.long)
    model = ImageModel(None, examples.classes, size, backbone)
    inputs = model.inputs(torch.from_numpy(numpy.stack(examples.items)))
    torch.manual_seed(context.seed)
    if backbone is None:
        model.network = _networks.small_cnn(3, len(examples.classes))
        what = f"a CNN from scratch on {size}x{size} images"
    else:
        model.network = _networks.linear_head(inputs.shape[1], len(examples.classes))
        what = f"a linear head on the frozen backbone {backbone_file} ({inputs.shape[1]} features)"
    context.log(f"training {what}: {len(examples.classes)} classes, {len(train_rows)} images, {len(held)} held out")
    epochs = _networks.fit_logged(context, model.network, inputs, targets, train_rows, held)

    def save(model_dir: str) -> None:
        _save(model, backbone_file, model_dir)

    holdout = FilesHoldout([(examples.paths[i], examples.labels[i]) for i in held])
    return TrainedModel("image", save, holdout, classes=list(examples.classes), last_step=epochs)


def _save(model: ImageModel, backbone_file: str, model_dir: str) -> None:
    import torch

    torch.save(
        {
            "format": FORMAT,
            "network": "small_cnn" if model.backbone is None else "linear_head",
            "state_dict": model.network.state_dict(),
            "classes": list(model.classes),
            "image_size": model.image_size,
        },
        os.path.join(model_dir, MODEL_FILE),
    )
    if model.backbone is not None:
        shutil.copyfile(backbone_file, os.path.join(model_dir, _backbone.FILE_NAME))


def load(model_dir: str, recipe: dict) -> ImageModel:
    saved = _networks.load_file(os.path.join(model_dir, MODEL_FILE), FORMAT)
    classes = [str(c) for c in saved["classes"]]
    state = saved["state_dict"]
    if saved["network"] == "linear_head":
        backbone = _backbone.load_backbone(os.path.join(model_dir, _backbone.FILE_NAME))
        network = _networks.linear_head(state["weight"].shape[1], len(classes))
    else:
        backbone, network = None, _networks.small_cnn(3, len(classes))
    network.load_state_dict(state)
    network.eval()
    return ImageModel(network, classes, int(saved["image_size"]), backbone)


def _images(model: ImageModel, instances: list):
    """Raw inputs → ``float32 [N, 3, size, size]``; a bad one raises a ValueError naming it."""
    import numpy
    import torch

    if not instances:
        raise ValueError("instances is empty: send at least one image")
    arrays = []
    for index, instance in enumerate(instances):
        data, name = _media.raw_input(instance, index)
        arrays.append(_media.image_array(_media.read_image(data, name), model.image_size))
    return torch.from_numpy(numpy.stack(arrays))


def predict_scores(model: ImageModel, instances: list):
    """``(labels, scores)``: each image's class and its probability per class, in ``classes`` order."""
    return _networks.labelled(model.probabilities(_images(model, instances)), model.classes)


def predict(model: ImageModel, instances: list) -> list:
    return predict_scores(model, instances)[0]
