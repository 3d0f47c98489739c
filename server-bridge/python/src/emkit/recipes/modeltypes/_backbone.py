"""The image recipe's optional pretrained backbone: a file already on disk, never downloaded.

The file is a ``torch.export`` program (``torch.export.save(torch.export.export(model.eval(),
(example,), dynamic_shapes=...), "backbone.pt2")``): it holds its own graph and weights, so no
model code has to be installed to run it (TorchScript, the other self-contained format, is
deprecated in torch 2.13). It takes a float batch ``[N, 3, size, size]`` normalised with
ImageNet's mean and std (what torchvision's pretrained models expect) and returns features
``[N, ...]``, flattened here. It stays frozen: only a linear head on its features is trained,
which is what a few hundred pictures can support. Export it in eval mode: the program keeps
its batch norm and dropout as they were then.
"""

from __future__ import annotations

import os

from ..context import RecipeError

FILE_NAME = "backbone.pt2"  # its copy in the model directory
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


class BackboneError(RecipeError):
    """The backbone can't be used; the message says what to do."""


def load_backbone(path: str):
    """The backbone at ``path`` as a callable module."""
    if not os.path.isabs(path):
        raise BackboneError(f"backbone must be an absolute path to a .pt2 file on disk, not {path!r}")
    if os.path.exists(path) and not os.path.isfile(path):
        raise BackboneError(f"the backbone {path} isn't a file: give the path of a torch.export .pt2 file")
    if not os.path.exists(path):
        raise BackboneError(
            f"the backbone {path} is absent: emkit never downloads one. Put a torch.export .pt2 file there, "
            "or leave backbone empty to train from scratch (the default)"
        )
    import torch

    try:
        program = torch.export.load(path)
    except Exception as error:
        raise BackboneError(
            f"the backbone {path} isn't a torch.export program (.pt2, saved with torch.export.save): "
            f"{type(error).__name__}: {_line(error)}"
        ) from None
    # no eval() here: an exported program's module raises on it (its mode is the export's)
    return program.module()


def normalise(images):
    """``[N, 3, H, W]`` in [0, 1] → ImageNet-normalised, as the backbone expects."""
    import torch

    mean = torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
    return (images - mean) / std


def features(module, images, batch_size: int = 64):
    """The backbone's output for ``images`` ([N, 3, H, W] in [0, 1]), flattened to ``[N, F]``.
    A program exported for one batch size is fed one image at a time."""
    import torch

    parts = []
    with torch.no_grad():
        for start in range(0, len(images), batch_size):
            batch = normalise(images[start : start + batch_size])
            try:
                output = _first(module(batch))
            except Exception:
                try:
                    output = torch.cat([_first(module(batch[i : i + 1])) for i in range(len(batch))])
                except Exception as error:
                    raise BackboneError(
                        f"the backbone can't take images of shape [N, 3, {batch.shape[2]}, {batch.shape[3]}]: "
                        f"{type(error).__name__}: {_line(error)} (set image_size to the size it was exported for)"
                    ) from None
            parts.append(torch.flatten(output, start_dim=1).to(torch.float32))
    return torch.cat(parts)


def _first(output):
    """A model that returns several outputs: the first is the features."""
    return output[0] if isinstance(output, (tuple, list)) else output


def _line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
