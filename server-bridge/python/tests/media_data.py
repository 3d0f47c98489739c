"""Image and sound datasets made offline for the image- and audio-classification recipes'
tests and benchmark: scikit-learn's bundled digits as PNG/JPEG class folders, spoken words
synthesised with espeak-ng, and tones of distinct pitch written in several WAV formats."""

from __future__ import annotations

import base64
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any, Dict, Iterable, Optional, Sequence, cast

ESPEAK = shutil.which("espeak-ng")
NO_ESPEAK = "espeak-ng isn't installed (apt-get install espeak-ng): no spoken words to train on"

WORDS = ("yes", "no", "up", "down")
VOICES = ("en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-029", "en-gb-x-gbclan")
SPEEDS = (120, 150, 180, 210)  # words per minute
PITCHES = (30, 70)  # espeak's 0-99
TONES = {"low": 220.0, "middle": 523.0, "high": 1244.0}


def digits_folder(root: Path, classes: Sequence[int] = (0, 1, 2, 3), jpeg_every: int = 3) -> Path:
    """scikit-learn's 8x8 digits of ``classes``, one folder per digit; every ``jpeg_every``-th
    image a JPEG, the rest PNG. About 180 images per class."""
    import numpy
    from PIL import Image
    from sklearn.datasets import load_digits

    digits = cast(Any, load_digits())  # a Bunch; its stubs say a tuple too (return_X_y)
    for index, (pixels, target) in enumerate(zip(digits.images, digits.target)):
        if int(target) not in classes:
            continue
        folder = root / str(int(target))
        folder.mkdir(parents=True, exist_ok=True)
        image = Image.fromarray((pixels * (255 / 16)).astype(numpy.uint8))
        if index % jpeg_every == 0:
            image.convert("RGB").save(folder / f"{index:04d}.jpg", quality=95)
        else:
            image.save(folder / f"{index:04d}.png")
    return root


def speak(path: Path, word: str, voice: str = "en-us", speed: int = 160, pitch: int = 50) -> Path:
    """One word, said by espeak-ng, as a WAV file (22050 Hz, 16-bit mono)."""
    if ESPEAK is None:
        raise RuntimeError(NO_ESPEAK)
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [ESPEAK, "-v", voice, "-s", str(speed), "-p", str(pitch), "-w", str(path), word],
        check=True,
        capture_output=True,
        timeout=30,
    )
    return path


def spoken_words(
    root: Path,
    words: Iterable[str] = WORDS,
    voices: Iterable[str] = VOICES,
    speeds: Iterable[int] = SPEEDS,
    pitches: Iterable[int] = PITCHES,
) -> Path:
    """A folder per word, one WAV per voice, speed and pitch (48 per word with the defaults)."""
    for word in words:
        number = 0
        for voice in voices:
            for speed in speeds:
                for pitch in pitches:
                    speak(root / word / f"{number:03d}.wav", word, voice, speed, pitch)
                    number += 1
    return root


def write_wav(path: Path, samples, rate: int, kind: str = "int16", channels: int = 1) -> Path:
    """``samples`` (floats in [-1, 1]) as a WAV file: ``kind`` int16, uint8 (8-bit) or float32."""
    import numpy
    from scipy.io import wavfile

    samples = numpy.clip(numpy.asarray(samples, dtype=numpy.float64), -1.0, 1.0)
    if kind == "int16":
        data = (samples * 32767).astype(numpy.int16)
    elif kind == "uint8":
        data = (samples * 127 + 128).astype(numpy.uint8)
    else:
        data = samples.astype(numpy.float32)
    if channels > 1:
        data = numpy.stack([data] * channels, axis=1)
    path.parent.mkdir(parents=True, exist_ok=True)
    wavfile.write(str(path), rate, data)
    return path


FORMATS = ((16000, "int16", 1), (8000, "uint8", 1), (44100, "int16", 2), (22050, "float32", 1))


def tone(pitch: float, rng: random.Random, rate: int):
    """A short note near ``pitch`` Hz (±3%), of a random length and loudness, after a random
    moment of quiet, with some noise: what the recipe's features must see through."""
    import numpy

    seconds = rng.uniform(0.3, 1.2)
    time = numpy.arange(int(seconds * rate)) / rate
    frequency = pitch * rng.uniform(0.97, 1.03)
    note = rng.uniform(0.3, 0.9) * numpy.sin(2 * numpy.pi * frequency * time) * numpy.hanning(len(time))
    quiet = numpy.zeros(int(rng.uniform(0.0, 0.4) * rate))
    sound = numpy.concatenate([quiet, note])
    noise = numpy.random.default_rng(rng.randrange(1 << 30)).normal(0.0, 0.01, len(sound))
    return sound + noise


def tones(root: Path, per_class: int = 30, seed: int = 5, pitches: Optional[Dict[str, float]] = None) -> Path:
    """A folder per pitch of ``per_class`` notes, written in turn as 16-bit at 16 kHz, 8-bit at
    8 kHz, 16-bit stereo at 44.1 kHz and 32-bit float at 22.05 kHz."""
    rng = random.Random(seed)
    for label, pitch in (pitches or TONES).items():
        for number in range(per_class):
            rate, kind, channels = FORMATS[number % len(FORMATS)]
            write_wav(root / label / f"{number:03d}.wav", tone(pitch, rng, rate), rate, kind, channels)
    return root


def b64(path: Path) -> str:
    return base64.b64encode(path.read_bytes()).decode("ascii")
