"""Where a dataset's files are, found without decoding them: cheap enough to check first."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from dcgan.checks import Registry, Rule, at_least, key, leaves, raise_all

from .error import DataError
from .named import NAMED

SOURCES = Registry("image sources", ("folder", "digits", *NAMED))
SPLITS = Registry("parts of a named set", ("train", "test", "all"))
EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif", ".tif", ".tiff")
DIGITS_IMAGES = 1797  # scikit-learn's bundled digits (data=digits)
MAX_PIXELS = 178_956_970  # images larger than this are refused (decompression bombs)

__all__ = ["DataError", "SOURCES", "check_data", "check_source", "find_image_files"]


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


CHANNELS = Rule(lambda v: v in (1, 3), "choose 1 (greyscale) or 3 (RGB)")


@dataclass
class DataConfig:
    source: str = key(
        "folder", "folder, digits, or a set by name: cifar10, mnist, celeba, ...", choices=SOURCES
    )
    root: str | None = key(
        "pics",
        "the image folder (any depth), or a named set's folder (null: ~/.cache/dcgan/datasets)",
    )
    download: bool = key(False, "a named set missing from data.root: fetch it there once (network)")
    channels: int = key(3, "colour channels of the images", rule=CHANNELS)
    batch_size: int = key(64, "real images per D step", rule=at_least(1))
    num_workers: int = key(
        0,
        "0 is fastest: images are decoded once at start and kept as uint8",
        rule=at_least(0),
    )
    split: str = key("train", "a named set's train or test part, or all", choices=SPLITS)
    hflip: bool = key(False, "random horizontal flips")
    max_pixels: int = key(
        MAX_PIXELS, "larger images are skipped as decompression bombs", rule=at_least(1)
    )
    cache: bool = key(False, "true: decode once into a uint8 .npy, memory-mapped by later runs")
    cache_dir: str | None = key(None, "null: $XDG_CACHE_HOME/dcgan (~/.cache/dcgan)")
    limit: int | None = key(
        None,
        "N: only the first N images (after decoding), e.g. a small-set study; null: all",
        rule=at_least(1),
    )


def check_data(**data: object) -> None:
    """Every declared rule on the `data.*` values given, checked before any slow loading; takes
    `**cfg.data` or the few values a loader has (a key left out is not checked)."""
    declared = leaves(DataConfig, "data.")
    raise_all(
        [e for k, v in data.items() if (e := declared[f"data.{k}"].problem(v)) is not None],
        DataError,
    )


def _check_root(root: str | None) -> str:
    """Resolve data.root and fail early with a fix when it is missing or not a folder."""
    hint = "put images in <root>/<subfolder>/*.jpg or set data.root=<folder>"
    if root is None or str(root).strip() == "":
        raise DataError(f"data.root is not set for data.source=folder: {hint}")
    folder = os.path.abspath(os.path.expanduser(os.fspath(root)))
    if not os.path.exists(folder):
        raise DataError(f"data.root '{root}' does not exist (resolved to {folder}): {hint}")
    if not os.path.isdir(folder):
        raise DataError(
            f"data.root '{root}' is a file, not a folder (resolved to {folder}): {hint}"
        )
    return folder


def find_image_files(folder: str) -> list[str]:
    """List image files under folder at any depth, following links without looping, sorted."""
    return sorted(
        os.path.join(dirpath, name)
        for dirpath, names in _walk(folder)
        for name in names
        if os.path.splitext(name)[1].lower() in EXTENSIONS
    )


def _walk(folder: str) -> Iterator[tuple[str, list[str]]]:
    """os.walk that follows directory links but visits each real directory only once."""
    seen: set[tuple[int, int]] = set()
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=True):
        try:
            st = os.stat(dirpath)
        except OSError:
            dirnames[:] = []
            continue
        key = (st.st_dev, st.st_ino)
        if key in seen:
            dirnames[:] = []
            continue
        seen.add(key)
        yield dirpath, filenames


def check_batch_size(
    batch_size: int,
    images: int,
    source: str,
    root: str | None,
    limit: int | None = None,
    held_out: int = 0,
) -> None:
    """A batch must fit in the images trained on: the last, smaller batch is dropped."""
    if batch_size <= images:
        return
    where = f" in data.root={root}" if source == "folder" else ""
    where += f" (data.limit={limit})" if limit is not None else ""
    if held_out:
        where += f", {held_out} more held out for augment.signal=rv"
    raise DataError(
        f"data.batch_size={batch_size} is larger than the {images} images found{where}: "
        "lower data.batch_size or add images"
    )


def check_batch_fits(data: Any, count: int | None, holdout: int) -> None:
    """`data.batch_size` against the `count` images a source holds at most (None: unknown),
    after `data.limit` and the `holdout` images kept out: found before decoding."""
    if count is None:
        return
    images = count if data.limit is None else min(count, data.limit)
    held = held_out(images, holdout)
    check_batch_size(data.batch_size, images - held, data.source, data.root, data.limit, held)


def held_out(images: int, holdout: int) -> int:
    """Images kept out of training: `holdout`, at most a tenth, at least 1."""
    return max(1, min(holdout, images // 10)) if holdout > 0 else 0


def check_source(data: DataConfig) -> int | None:
    """Fail now, naming the folder or file, when the run's `data` cannot yield a single image; a
    named set missing from data.root is fetched first with data.download.

    Returns how many images the source holds at most (image files, IDX header counts), found
    without decoding; None when it cannot say.
    """
    source, root, split = data.source, data.root, data.split
    if source in NAMED:
        found = NAMED[source]
        folder = found.root(root)
        found.ensure(folder, split, data.download)
        return found.count(folder, split)
    if source == "digits":
        return DIGITS_IMAGES
    if source != "folder":
        return None
    from .decode import UnreadableImage, decode_image  # NumPy and Pillow: only to try a file

    folder = _check_root(root)
    files = find_image_files(folder)
    reasons = []
    for path in files:
        try:
            decode_image(path, 8, data.channels, data.max_pixels)
            return len(files)
        except UnreadableImage as err:
            reasons.append(f"{path}: {err}")
    found = "found no image files"
    if files:
        found = f"found {len(files)} image file(s), none readable (first: {reasons[0]})"
    raise DataError(
        f"data.root '{root}' (resolved to {folder}) has no usable image: {found}. "
        f"Accepted extensions (any letter case): {' '.join(EXTENSIONS)}"
    )
