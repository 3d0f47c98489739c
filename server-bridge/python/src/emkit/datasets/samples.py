"""Class folders: each file's sample kind, whether it reads as that kind, and a sample's preview
(an image's thumbnail, a WAV's duration, a text's first characters)."""

from __future__ import annotations

import base64
import io
import os
import wave
from typing import Optional, Tuple

from .files import Entry, open_regular

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp"}
AUDIO_SUFFIXES = {".wav", ".wave", ".mp3", ".flac", ".ogg"}
TEXT_SUFFIXES = {".txt", ".text", ".md"}
THUMBNAIL_PX = 64
SNIPPET_CHARS = 200
# a text file is checked to be UTF-8 as a whole up to this size, then by its start
TEXT_CHECK_BYTES = 4 << 20


def sample_kind(name: str) -> str:
    suffix = os.path.splitext(name)[1].lower()
    if suffix in IMAGE_SUFFIXES:
        return "image"
    if suffix in AUDIO_SUFFIXES:
        return "audio"
    if suffix in TEXT_SUFFIXES:
        return "text"
    return "other"


def _pillow():
    try:
        from PIL import Image

        return Image
    except ImportError:
        return None


def check_sample(entry: Entry, kind: str) -> Optional[str]:
    """Why this file can't be used as its kind (a corrupt image, not a WAV, not UTF-8 text), else None."""
    try:
        with open_regular(entry) as file:
            if kind == "image":
                image_module = _pillow()
                if image_module is None:
                    return None  # no Pillow: counted as it is
                with image_module.open(file) as image:
                    image.verify()
            elif kind == "audio" and entry.relative.lower().endswith((".wav", ".wave")):
                with wave.open(file) as audio:
                    if audio.getframerate() <= 0:
                        return "not a WAV file: no frame rate"
            elif kind == "text":
                file.read(TEXT_CHECK_BYTES).decode("utf-8")
    except UnicodeDecodeError:
        return "not UTF-8 text"
    except wave.Error as error:
        return f"not a WAV file: {error}"
    except EOFError:
        return "cut short"
    except Exception as error:  # Pillow raises many kinds for a corrupt file, naming the handle, not the file
        return f"can't be read as {'an image' if kind == 'image' else kind} ({type(error).__name__})"
    return None


def preview_sample(entry: Entry, kind: str) -> dict:
    thumbnail, duration, snippet = None, None, None
    if kind == "image":
        thumbnail = _thumbnail(entry)
    elif kind == "audio":
        duration = _duration(entry)
    elif kind == "text":
        snippet = _snippet(entry)
    return {
        "file": entry.relative,
        "kind": kind,
        "thumbnail": thumbnail,
        "durationSeconds": duration,
        "snippet": snippet,
    }


def _thumbnail(entry: Entry) -> Optional[str]:
    image_module = _pillow()
    if image_module is None:
        return None
    try:
        with open_regular(entry) as file, image_module.open(file) as image:
            image.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
            small = image.convert("RGBA") if image.mode not in ("RGB", "RGBA", "L", "LA") else image.copy()
    except Exception:
        return None
    out = io.BytesIO()
    small.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def _duration(entry: Entry) -> Optional[float]:
    if not entry.relative.lower().endswith((".wav", ".wave")):
        return None
    try:
        with open_regular(entry) as file, wave.open(file) as audio:
            return round(audio.getnframes() / float(audio.getframerate()), 3)
    except (wave.Error, EOFError, ZeroDivisionError, OSError):
        return None


def _snippet(entry: Entry) -> Optional[str]:
    with open_regular(entry) as file:
        head = file.read(SNIPPET_CHARS * 4)
    return head.decode("utf-8", errors="ignore")[:SNIPPET_CHARS]


def class_of(entry: Entry) -> Tuple[str, str]:
    """(class, path within the class) of a file in a class folder."""
    head, _, rest = entry.relative.partition("/")
    return head, rest
