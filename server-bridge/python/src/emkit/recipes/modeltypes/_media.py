"""Image and sound files as arrays, for the image- and audio-classification recipes.

The same functions read a training's class-folder files and a served model's raw inputs
(``raw_input``: emkit.recipes.serving's upload object or base64 string), so that a model sees
at serving time exactly what it was trained on. Anything that can't be read raises
``MediaError`` (a ValueError: a 400 from the model worker) naming the file or instance.

Images: Pillow. Sounds: WAV through ``scipy.io.wavfile`` (PCM 8/16/24/32-bit and float, any
channel count; scipy comes with scikit-learn) and resampled with ``scipy.signal.resample_poly``.
torchaudio isn't used: it is built for one torch version each, and none is for torch 2.13.0
(PyPI's newest, 2.11.1, is for torch 2.11).
"""

from __future__ import annotations

import io
import math
from typing import Tuple

# Bigger than any photo a learner takes, small enough that a crafted header (a "decompression
# bomb") can't make the worker allocate gigabytes: Pillow's own limit warns only at 89 M.
MAX_IMAGE_PIXELS = 40_000_000
# a raw input's bytes, decoded: 50 MB holds minutes of CD-quality WAV and any camera photo
MAX_RAW_BYTES = 50 * 1024 * 1024
# below this share of a sound's peak, its start counts as quiet
QUIET = 0.02


class MediaError(ValueError):
    """An image or sound that can't be read; the message names it and says why (``reason``)."""

    def __init__(self, name: str, reason: str):
        super().__init__(f"{name} {reason}")
        self.reason = reason


def raw_input(instance, index: int) -> Tuple[bytes, str]:
    """``(bytes, name)`` of a served model's raw input (emkit.recipes.serving decodes it);
    ``name`` says which instance it was in a message."""
    from ..serving import instance_bytes

    data, filename = instance_bytes(instance, index)
    if len(data) > MAX_RAW_BYTES:
        raise MediaError(f"instance {index}", f"is over {MAX_RAW_BYTES // (1024 * 1024)} MB")
    return data, f"instance {index}" + (f" ({filename})" if filename else "")


# --- images ---------------------------------------------------------------------------------


def read_image(data: bytes, name: str):
    """A PIL image in RGB from a file's bytes (PNG, JPEG, or whatever else Pillow reads)."""
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
        width, height = image.size
        if width * height > MAX_IMAGE_PIXELS:
            raise MediaError(name, f"is {width}x{height} pixels, over the {MAX_IMAGE_PIXELS:,} allowed")
        image.load()  # a truncated or corrupt file fails here, not later
        return image.convert("RGB")
    except MediaError:
        raise
    except UnidentifiedImageError:
        raise MediaError(name, "isn't an image Pillow can read (PNG or JPEG)") from None
    except Exception as error:  # a parser of untrusted bytes fails many ways (struct.error…): all mean corrupt
        raise MediaError(name, f"is a corrupt or truncated image: {_line(error)}") from None


def image_array(image, size: int):
    """``float32 [3, size, size]`` in [0, 1]: the image squashed to a square (no crop, so that
    nothing at an edge is lost; learners' pictures are mostly of one thing, centred)."""
    import numpy
    from PIL import Image

    resized = image.resize((size, size), Image.Resampling.BILINEAR)
    return numpy.asarray(resized, dtype=numpy.float32).transpose(2, 0, 1) / 255.0


# --- sounds ---------------------------------------------------------------------------------


def read_wav(data: bytes, name: str):
    """``(rate, float32 mono samples in [-1, 1])`` from a WAV file's bytes."""
    import warnings

    import numpy
    from scipy.io import wavfile

    try:
        with warnings.catch_warnings():
            # scipy warns about chunks it skips (LIST, cue): they don't matter here
            warnings.simplefilter("ignore", wavfile.WavFileWarning)
            rate, samples = wavfile.read(io.BytesIO(data))
    except Exception as error:  # a parser of untrusted bytes fails many ways (struct.error…): all mean unreadable
        raise MediaError(name, f"isn't a readable WAV file: {_line(error)}") from None
    if samples.size == 0:
        raise MediaError(name, "holds no samples")
    if samples.dtype.kind == "u":  # 8-bit WAV is unsigned, centred on 128
        samples = (samples.astype(numpy.float32) - 128.0) / 128.0
    elif samples.dtype.kind == "i":
        samples = samples.astype(numpy.float32) / float(numpy.iinfo(samples.dtype).max)
    else:
        samples = samples.astype(numpy.float32)
    if samples.ndim == 2:
        samples = samples.mean(axis=1)
    if not numpy.isfinite(samples).all():
        raise MediaError(name, "has samples that aren't finite numbers")
    return int(rate), samples


def fit_sound(rate: int, samples, sample_rate: int, max_seconds: float):
    """The samples at ``sample_rate`` from the first sound on, cut or padded with silence to
    ``max_seconds``. The quiet before the first sound goes: a recording made by hand starts
    with a moment of it, of a different length each time, which would shift every feature."""
    import numpy
    from scipy.signal import resample_poly

    peak = float(numpy.abs(samples).max())
    if peak > 0:
        samples = samples[int(numpy.argmax(numpy.abs(samples) >= peak * QUIET)) :]
    if rate != sample_rate:
        common = math.gcd(rate, sample_rate)
        samples = resample_poly(samples, sample_rate // common, rate // common).astype(numpy.float32)
    length = round(sample_rate * max_seconds)
    if len(samples) >= length:
        return samples[:length]
    return numpy.pad(samples, (0, length - len(samples)))


def _line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
