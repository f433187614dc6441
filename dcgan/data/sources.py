"""Load a whole dataset (image folder, sklearn digits, Fashion-MNIST) as one uint8 array."""

from __future__ import annotations

import gzip
import importlib.util
import logging
import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from .decode import UnreadableImage, decode_image
from .files import (
    EXTENSIONS,
    FASHION_MNIST_ROOT,
    MAX_PIXELS,
    SOURCES,
    SPLITS,
    DataError,
    _check_root,
    _idx_path,
    check_data,
    find_image_files,
)

__all__ = [
    "EXTENSIONS",
    "FASHION_MNIST_ROOT",
    "MAX_PIXELS",
    "SOURCES",
    "SPLITS",
    "DataError",
    "check_data",
    "load_images",
]

log = logging.getLogger(__name__)

IDX_IMAGES_MAGIC = 2051
_RESIZE_CHUNK_PIXELS = 1 << 25  # float32 pixels per interpolate call (~128 MiB) to bound memory


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
    return load_fashion_mnist(root, image_size, channels, split)


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
    start = time.perf_counter()
    out = np.empty((len(files), channels, image_size, image_size), dtype=np.uint8)
    skipped: list[tuple[str, str]] = []
    kept: list[str] = []
    count = 0

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
                out[count] = result
                kept.append(path)
                count += 1
    first = "; ".join(f"{path}: {reason}" for path, reason in skipped[:5])
    if count == 0:
        found = "found no image files"
        if files:
            found = f"found {len(files)} image file(s), all skipped (first: {first})"
        raise DataError(
            f"data.root '{root}' (resolved to {folder}) has no usable image: {found}. "
            f"Accepted extensions (any letter case): {' '.join(EXTENSIONS)}"
        )
    if skipped:
        log.warning(
            "skipped %d of %d image files under %s: %s", len(skipped), len(files), folder, first
        )
    log.info("decoded %d images from %s in %.1f s", count, folder, time.perf_counter() - start)
    return out[:count], kept, folder


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


def load_fashion_mnist(root: str | None, image_size: int, channels: int, split: str) -> np.ndarray:
    """Fashion-MNIST from its IDX files: train (60k), test (10k) or all (70k)."""
    check_data(split=split)
    folder = os.path.expanduser(os.fspath(root)) if root else FASHION_MNIST_ROOT
    prefixes = {"train": ["train"], "test": ["t10k"], "all": ["train", "t10k"]}[split]
    parts = [read_idx_images(_idx_path(folder, p)) for p in prefixes]
    images = parts[0] if len(parts) == 1 else np.concatenate(parts)
    return resize_gray(images, image_size, channels)


def read_idx(path: str | Path, magic: int, what: str) -> np.ndarray:
    """Parse an IDX file of uint8 (optionally gzipped): magic, big-endian sizes, then the bytes."""
    opener = gzip.open if str(path).endswith(".gz") else open
    try:
        with opener(path, "rb") as fh:
            data = fh.read()
    except (OSError, EOFError) as err:
        raise DataError(f"cannot read IDX {what} file {path}: {err}") from err
    ndim = magic & 0xFF  # 2051: 3 dimensions (images), 2049: 1 (labels)
    end = 4 * (ndim + 1)
    header = np.frombuffer(data[:end], dtype=">u4") if len(data) >= end else np.zeros(0)
    if header.size != ndim + 1 or int(header[0]) != magic:
        raise DataError(f"{path} is not an IDX {what} file (expected magic {magic})")
    shape = tuple(int(v) for v in header[1:])
    if len(data) < end + int(np.prod(shape)):
        raise DataError(f"{path} is truncated: header says {' x '.join(map(str, shape))} {what}")
    return np.frombuffer(data, np.uint8, count=int(np.prod(shape)), offset=end).reshape(shape)


def read_idx_images(path: str | Path) -> np.ndarray:
    """Parse an IDX3 image file: magic 2051, N, rows, cols."""
    return read_idx(path, IDX_IMAGES_MAGIC, "image")


def resize_gray(images: np.ndarray, image_size: int, channels: int) -> np.ndarray:
    """Bilinear-resize uint8 [N, H, W] to [N, C, S, S] in chunks; antialias only when shrinking."""
    n, height, width = images.shape
    out = np.empty((n, channels, image_size, image_size), dtype=np.uint8)
    if (height, width) == (image_size, image_size):
        out[:] = images[:, None]
        return out
    shrink = image_size < max(height, width)
    chunk = max(1, _RESIZE_CHUNK_PIXELS // max(image_size * image_size, height * width))
    for i in range(0, n, chunk):
        x = torch.from_numpy(images[i : i + chunk].astype(np.float32)).unsqueeze(1)
        y = F.interpolate(
            x,
            size=(image_size, image_size),
            mode="bilinear",
            align_corners=False,
            antialias=shrink,
        )
        out[i : i + chunk] = y.round_().clamp_(0, 255).to(torch.uint8).numpy()
    return out
