"""The image- and audio-classification recipes' networks, and the loop that trains them.

One small CNN serves both: an image is ``[3, size, size]``, a sound's log-mel spectrogram
``[1, n_mels, frames]``. Three conv blocks (a stride-2 conv, batch norm, ReLU) and a 2x2
adaptive pool keep it small enough to train in seconds on two CPU cores from a few hundred
examples, and independent of the input's size. A pretrained backbone (images only) is used
frozen, as a feature extractor, with a linear head trained on its features.
"""

from __future__ import annotations

import os
from typing import Callable, Dict, Optional

# Before torch is imported (this module is imported first): threads that wait for work sleep
# rather than spin. On a machine busier than its cores, spinning OpenMP threads made training
# five times slower (and six times the CPU) than sleeping ones, measured on two shared cores.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

WIDTHS = (16, 32, 64)
POOLED = 2  # the adaptive pool's output side: a little layout survives, unlike a global pool
DROPOUT = 0.2


def small_cnn(in_channels: int, classes: int):
    """Its initial weights come from torch's global generator: seed it first."""
    from torch import nn

    layers = []
    channels = in_channels
    for width in WIDTHS:
        layers += [
            # stride 2 rather than a max-pool: a quarter of the multiplications, same shapes
            nn.Conv2d(channels, width, kernel_size=3, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(width),
            nn.ReLU(inplace=True),
        ]
        channels = width
    layers += [
        nn.AdaptiveAvgPool2d(POOLED),
        nn.Flatten(),
        nn.Dropout(DROPOUT),
        nn.Linear(channels * POOLED * POOLED, classes),
    ]
    return nn.Sequential(*layers)


def linear_head(features: int, classes: int):
    from torch import nn

    return nn.Linear(features, classes)


def fit(
    network,
    train_x,
    train_y,
    val_x,
    val_y,
    epochs: int,
    learning_rate: float,
    batch_size: int,
    seed: int,
    on_epoch: Optional[Callable[[int, Dict[str, float]], None]] = None,
):
    """Adam on cross-entropy for ``epochs``; after each, ``on_epoch(epoch, {loss, accuracy,
    val_loss, val_accuracy})`` (``val_*`` on the holdout, which only watches: the last epoch's
    weights are kept, none is picked by its holdout score, so the holdout stays a fair test)."""
    import torch
    from torch import nn

    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    optimizer = torch.optim.Adam(network.parameters(), lr=learning_rate)
    loss_function = nn.CrossEntropyLoss()
    count = len(train_y)
    for epoch in range(1, epochs + 1):
        network.train()
        order = torch.randperm(count, generator=generator)
        total, correct = 0.0, 0
        for start in range(0, count, batch_size):
            index = order[start : start + batch_size]
            if len(index) == 1 and count > 1:
                continue  # batch norm can't train on a batch of one; the example comes next epoch
            inputs, targets = train_x[index], train_y[index]
            optimizer.zero_grad()
            outputs = network(inputs)
            loss = loss_function(outputs, targets)
            loss.backward()
            optimizer.step()
            total += float(loss.detach()) * len(index)
            correct += int((outputs.argmax(1) == targets).sum())
        metrics = {"loss": total / count, "accuracy": correct / count}
        if val_x is not None and len(val_y):
            val_loss, val_accuracy = evaluate(network, val_x, val_y, batch_size)
            metrics.update(val_loss=val_loss, val_accuracy=val_accuracy)
        if on_epoch is not None:
            on_epoch(epoch, metrics)
    network.eval()
    return network


def fit_logged(context, network, inputs, targets, train_rows, held) -> int:
    """``fit`` with the context's parameters, each epoch's figures logged as curves (and said
    in the log every tenth epoch and at the last); the number of epochs."""
    import torch

    params = context.params
    epochs = int(params["epochs"])
    train_index, held_index = torch.as_tensor(train_rows), torch.as_tensor(held)

    def on_epoch(epoch: int, metrics: Dict[str, float]) -> None:
        for name, value in metrics.items():
            context.metric(name, value, epoch)
        if epoch % 10 == 0 or epoch == epochs or epoch == 1:
            shown = ", ".join(f"{name} {value:.4f}" for name, value in metrics.items())
            context.log(f"epoch {epoch}/{epochs}: {shown}")

    fit(
        network,
        inputs[train_index],
        targets[train_index],
        inputs[held_index],
        targets[held_index],
        epochs=epochs,
        learning_rate=float(params["learning_rate"]),
        batch_size=int(params["batch_size"]),
        seed=context.seed,
        on_epoch=on_epoch,
    )
    return epochs


def load_file(path: str, expected_format: int) -> dict:
    """A saved model.pt: tensors, numbers, strings and lists only (``weights_only``)."""
    import torch

    saved = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(saved, dict) or saved.get("format") != expected_format:
        found = saved.get("format") if isinstance(saved, dict) else None
        raise ValueError(f"{path} has format {found!r}; this version of emkit reads format {expected_format}")
    return saved


def labelled(probabilities, classes) -> tuple:
    """``(labels, scores)`` from a ``[N, classes]`` probabilities tensor."""
    return [classes[i] for i in probabilities.argmax(1).tolist()], probabilities.tolist()


def evaluate(network, inputs, targets, batch_size: int):
    """(mean cross-entropy, accuracy) of ``network`` on these examples."""
    import torch
    from torch import nn

    network.eval()
    loss_function = nn.CrossEntropyLoss(reduction="sum")
    total, correct = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(targets), max(batch_size, 256)):
            outputs = network(inputs[start : start + max(batch_size, 256)])
            batch = targets[start : start + max(batch_size, 256)]
            total += float(loss_function(outputs, batch))
            correct += int((outputs.argmax(1) == batch).sum())
    return total / len(targets), correct / len(targets)


def probabilities(network, inputs, batch_size: int = 256):
    """softmax of ``network``'s output, ``[N, classes]``, in eval mode, without gradients."""
    import torch

    network.eval()
    with torch.no_grad():
        parts = [torch.softmax(network(inputs[s : s + batch_size]), dim=1) for s in range(0, len(inputs), batch_size)]
    return torch.cat(parts) if parts else torch.zeros((0, 0))
