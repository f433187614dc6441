"""Decode image files of any format or mode into square uint8 arrays [C, S, S]."""

from __future__ import annotations

import logging
import os
import threading
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

ALPHA_MODES = frozenset({"LA", "La", "PA", "RGBA", "RGBa"})
INT_MODES = frozenset({"I", "I;16", "I;16B", "I;16L", "I;16N"})

log = logging.getLogger(__name__)

# warnings.catch_warnings() edits process-global filters: serialise it across decoder threads.
_OPEN_LOCK = threading.Lock()


class UnreadableImage(Exception):
    """Raised with a short human reason so a folder scan can skip the file and say why."""


def decode_image(path: str | Path, image_size: int, channels: int, max_pixels: int) -> np.ndarray:
    """Decode, orient, convert, resize and center-crop one file so every image shares one shape."""
    path = os.fspath(path)
    if os.path.islink(path) and not os.path.exists(path):
        raise UnreadableImage("broken symbolic link")
    try:
        if os.path.getsize(path) == 0:
            raise UnreadableImage("empty file")
        with _open(path) as img:
            width, height = img.size
            if width * height > max_pixels:
                raise UnreadableImage(
                    f"decompression bomb: {width}x{height} pixels > limit {max_pixels}"
                )
            if width < 1 or height < 1:
                raise UnreadableImage(f"too small: {width}x{height}")
            if getattr(img, "n_frames", 1) > 1:
                img.seek(0)
            if img.format == "JPEG":
                img.draft("L" if channels == 1 else None, (image_size, image_size))
            img.load()
            return _to_array(_fit(_to_mode(_orient(img), channels), image_size), channels)
    except UnreadableImage:
        raise
    except Exception as err:  # any decoder failure just skips the file
        raise UnreadableImage(_reason(err)) from err


def _open(path: str) -> Image.Image:
    """Open lazily; our own max_pixels check replaces PIL's global-limit warning."""
    with _OPEN_LOCK, warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        return Image.open(path)


def _reason(err: BaseException) -> str:
    """Turn a decoder exception into a short reason for the skip report."""
    msg = str(err).strip()
    if isinstance(err, UnidentifiedImageError):
        return "not an image (cannot identify image file)"
    if isinstance(err, Image.DecompressionBombError):
        return f"decompression bomb: {msg}"
    if isinstance(err, PermissionError):
        return "permission denied"
    if isinstance(err, FileNotFoundError):
        return "file not found"
    if isinstance(err, IsADirectoryError):
        return "is a directory"
    if isinstance(err, MemoryError):
        return "out of memory"
    if "truncated" in msg.lower() or isinstance(err, EOFError):
        return "truncated image"
    text = f"{type(err).__name__}: {msg}" if msg else type(err).__name__
    return text if len(text) <= 120 else text[:117] + "..."


def _orient(img: Image.Image) -> Image.Image:
    """Apply the EXIF orientation so phone photos are upright; a bad EXIF block is ignored."""
    try:
        return ImageOps.exif_transpose(img) or img
    except Exception:  # pixels are fine unrotated
        return img


def _to_mode(img: Image.Image, channels: int) -> Image.Image:
    """Convert any PIL mode to L or RGB, compositing transparency onto white."""
    target = "L" if channels == 1 else "RGB"
    mode = img.mode
    if mode in INT_MODES:
        img = _scale_int(img)
    elif mode == "F":
        img = _scale_float(img)
    elif mode == "1":
        img = img.convert("L")
    elif mode in ALPHA_MODES or "transparency" in img.info:
        if mode == "La":
            img = img.convert("LA")
        rgba = img.convert("RGBA")
        img = Image.alpha_composite(Image.new("RGBA", rgba.size, (255, 255, 255, 255)), rgba)
    if img.mode not in ("L", "RGB"):
        img = img.convert("RGB")
    return img if img.mode == target else img.convert(target)


def _scale_int(img: Image.Image) -> Image.Image:
    """Map 16/32-bit integer pixels to 8 bits: /257 for 16-bit data, by max for wider data."""
    arr = np.asarray(img).astype(np.float64)
    top = float(arr.max()) if arr.size else 0.0
    if top > 65535:
        arr = arr * (255.0 / top)
    elif top > 255:
        arr = arr / 257.0
    return Image.fromarray(np.clip(np.rint(arr), 0, 255).astype(np.uint8))


def _scale_float(img: Image.Image) -> Image.Image:
    """Map float pixels to 8 bits, treating data within 0..1 as normalised."""
    arr = np.nan_to_num(np.asarray(img, dtype=np.float64), nan=0.0, posinf=255.0, neginf=0.0)
    if arr.size and arr.max() <= 1.0:
        arr = arr * 255.0
    return Image.fromarray(np.clip(np.rint(arr), 0, 255).astype(np.uint8))


def _fit(img: Image.Image, size: int) -> Image.Image:
    """Resize the shorter side to size and center-crop, in one resample (works for 1x500)."""
    width, height = img.size
    side = min(width, height)
    left, top = (width - side) / 2, (height - side) / 2
    method = Image.Resampling.LANCZOS if side > size else Image.Resampling.BICUBIC
    box = (left, top, left + side, top + side)
    return img.resize((size, size), method, box=box, reducing_gap=3.0)


def _to_array(img: Image.Image, channels: int) -> np.ndarray:
    """Return a contiguous channels-first uint8 array."""
    arr = np.asarray(img, dtype=np.uint8)
    arr = arr[None] if channels == 1 else arr.transpose(2, 0, 1)
    return np.ascontiguousarray(arr)


def decode_files(
    files: list[str],
    image_size: int,
    channels: int,
    max_pixels: int,
    workers: int | None = None,
    where: str = "",
) -> tuple[np.ndarray, list[str], list[tuple[str, str]]]:
    """Decode image files in parallel threads: the images, the files kept, and (file, reason)
    of each one skipped, reported in one warning that names `where` they are."""
    start = time.perf_counter()
    out = np.empty((len(files), channels, image_size, image_size), dtype=np.uint8)
    skipped: list[tuple[str, str]] = []
    kept: list[str] = []

    def decode(path: str) -> np.ndarray | str:
        try:
            return decode_image(path, image_size, channels, max_pixels)
        except UnreadableImage as err:
            return str(err)

    n_workers = workers or min(32, os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=max(1, n_workers)) as pool:
        for path, result in zip(files, pool.map(decode, files), strict=True):
            if isinstance(result, str):
                skipped.append((path, result))
            else:
                out[len(kept)] = result
                kept.append(path)
    if skipped and kept:
        first = "; ".join(f"{path}: {reason}" for path, reason in skipped[:5])
        log.warning("skipped %d of %d image files under %s: %s", len(skipped), len(files), where,
                    first)  # fmt: skip
    if kept:
        elapsed = time.perf_counter() - start
        log.info("decoded %d images from %s in %.1f s", len(kept), where, elapsed)
    return out[: len(kept)], kept, skipped
