"""Load a whole dataset (image folder, sklearn digits, a set known by name) as one uint8 array."""

from __future__ import annotations

import gzip
import importlib.util
import logging
import time
from pathlib import Path

import numpy as np

from .decode import decode_files
from .files import (
    EXTENSIONS,
    MAX_PIXELS,
    SOURCES,
    SPLITS,
    DataError,
    _check_root,
    check_data,
    find_image_files,
)
from .named import NAMED
from .named.idx import read_idx, read_idx_images
from .resize import fit_array

__all__ = [
    "EXTENSIONS",
    "MAX_PIXELS",
    "SOURCES",
    "SPLITS",
    "DataError",
    "check_data",
    "load_images",
    "read_idx",
    "read_idx_images",
]

log = logging.getLogger(__name__)


def load_images(
    source: str,
    root: str | None,
    image_size: int,
    channels: int,
    split: str = "train",
    max_pixels: int = MAX_PIXELS,
    workers: int | None = None,
) -> np.ndarray:
    """Decode a whole dataset once into uint8 [N, C, S, S] so training never touches files."""
    check_data(source=source, channels=channels, split=split, max_pixels=max_pixels)
    if source == "folder":
        return load_folder(root, image_size, channels, max_pixels, workers)
    if source == "digits":
        return load_digits(image_size, channels)
    found = NAMED[source]
    folder = found.root(root)
    found.ensure(folder, split)
    start = time.perf_counter()
    images = found.read(folder, split, image_size, channels, max_pixels)
    log.info("read %d %s images from %s in %.1f s", len(images), found.title, folder,
             time.perf_counter() - start)  # fmt: skip
    return images


def load_folder(
    root: str | None,
    image_size: int,
    channels: int,
    max_pixels: int = MAX_PIXELS,
    workers: int | None = None,
) -> np.ndarray:
    """Decode every image file under root in parallel threads, skipping (and reporting) bad ones."""
    return decode_folder(root, image_size, channels, max_pixels, workers)[0]


def decode_folder(
    root: str | None,
    image_size: int,
    channels: int,
    max_pixels: int = MAX_PIXELS,
    workers: int | None = None,
) -> tuple[np.ndarray, list[str], str]:
    """`load_folder`'s images, plus the files they came from and the resolved root."""
    folder = _check_root(root)
    files = find_image_files(folder)
    images, kept, skipped = decode_files(files, image_size, channels, max_pixels, workers, folder)
    first = "; ".join(f"{path}: {reason}" for path, reason in skipped[:5])
    if not kept:
        found = "found no image files"
        if files:
            found = f"found {len(files)} image file(s), all skipped (first: {first})"
        raise DataError(
            f"data.root '{root}' (resolved to {folder}) has no usable image: {found}. "
            f"Accepted extensions (any letter case): {' '.join(EXTENSIONS)}"
        )
    return images, kept, folder


def load_digits(image_size: int, channels: int) -> np.ndarray:
    """sklearn's bundled 8x8 digits (offline), scaled 0..16 -> 0..255 and resized."""
    images = _bundled_digits()  # float64 [1797, 8, 8], values 0..16
    images = np.clip(np.rint(images * (255.0 / 16.0)), 0, 255).astype(np.uint8)
    return resize_gray(images, image_size, channels)


def _bundled_digits() -> np.ndarray:
    """The digits file inside scikit-learn, read without importing it (seconds at start-up)."""
    spec = importlib.util.find_spec("sklearn")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "datasets" / "data" / "digits.csv.gz"
        if path.is_file():
            with gzip.open(path, "rt") as fh:
                return np.loadtxt(fh, delimiter=",")[:, :-1].reshape(-1, 8, 8)
    from sklearn.datasets import load_digits as sk_load_digits  # another layout: ask sklearn

    return sk_load_digits().images


def resize_gray(images: np.ndarray, image_size: int, channels: int) -> np.ndarray:
    """uint8 [N, H, W] -> [N, C, S, S] (see `fit_array`)."""
    return fit_array(images[:, None], image_size, channels)
