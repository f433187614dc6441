"""Class labels of a dataset: first-level sub-folder names, or the labels a dataset ships with."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .cache import decoded
from .files import _check_root, find_image_files
from .named import NAMED
from .named.idx import DIGIT_CLASSES, FASHION_MNIST_CLASSES
from .sources import MAX_PIXELS, DataError, check_data, decode_folder, load_images

__all__ = ["FASHION_MNIST_CLASSES", "class_names_of", "load_labeled"]

log = logging.getLogger(__name__)

FEW_IMAGES = 16  # a class with fewer images than this gets a warning


def folder_labels(folder: str, files: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    """Each file's class: its first-level sub-folder under `folder` (names sorted).

    Sub-folders without images form no class; files directly in `folder` are refused.
    """
    firsts = [Path(os.path.relpath(path, folder)).parts for path in files]
    loose = [os.path.join(folder, *parts) for parts in firsts if len(parts) == 1]
    if loose:
        raise DataError(
            f"data.root '{folder}' holds {len(loose)} image(s) outside any sub-folder "
            f"(e.g. {loose[0]}); model.conditional=true takes each first-level sub-folder as a "
            "class: move them into <root>/<class>/"
        )
    names = sorted({parts[0] for parts in firsts})
    index = {name: i for i, name in enumerate(names)}
    return np.array([index[parts[0]] for parts in firsts], dtype=np.int64), names


def digits_labels() -> tuple[np.ndarray, list[str]]:
    """scikit-learn's digits labels 0-9."""
    from sklearn.datasets import load_digits

    return load_digits().target.astype(np.int64), list(DIGIT_CLASSES)


def named_labels(source: str, root: str | None, split: str) -> tuple[np.ndarray, list[str]]:
    """A named set's class index of each image of `split`, and its class names."""
    found = NAMED[source]
    folder = found.root(root)
    names = class_names_of(source, root)  # a set without classes is refused here
    return found.labels(folder, split), names


def class_names_of(source: str, root: str | None) -> list[str]:
    """The classes a conditional run of this data has, found without decoding an image: a
    folder's first-level sub-folders with image files (those whose every file is unreadable
    too: decoding drops them), or the dataset's own."""
    if source == "digits":
        return list(DIGIT_CLASSES)
    if source in NAMED:
        found = NAMED[source]
        names = found.class_names(found.root(root))
        if not names:
            raise DataError(
                f"data={source}: {found.title} has no classes, so model.conditional=true "
                "cannot learn them; train it with model.conditional=false"
            )
        return names
    folder = _check_root(root)
    return folder_labels(folder, find_image_files(folder))[1]


def class_counts(labels: np.ndarray, names: Sequence[str]) -> list[int]:
    """Images per class; one warning per class with very few, and one for a single class."""
    counts = np.bincount(labels, minlength=len(names)).tolist()
    for name, count in zip(names, counts, strict=True):
        if count < FEW_IMAGES:
            log.warning("class %r has only %d image(s): it will be learnt poorly", name, count)
    if len(names) == 1:
        log.warning("only one class (%r): a conditional model learns nothing from it", names[0])
    return counts


def load_labeled(
    source: str,
    root: str | None,
    image_size: int,
    channels: int,
    split: str = "train",
    max_pixels: int = MAX_PIXELS,
    cache: bool = False,
    cache_dir: str | None = None,
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """uint8 images [N, C, S, S], their class indices [N] and the class names in index order.

    With `cache` the images come from `data.cache`, the array unconditional runs share; labels
    are cheap: the dataset's label file, or each decoded file's sub-folder. A cached folder array
    that lacks some files (unreadable ones were skipped) cannot tell which: then it is decoded.
    """
    check_data(source=source, channels=channels, split=split, max_pixels=max_pixels)
    args = (source, root, image_size, channels, split, max_pixels)
    found: dict[str, list[str]] = {}  # the files a folder decode kept, when it ran

    def build() -> np.ndarray:
        if source != "folder":
            return load_images(*args)
        images, found["files"], _ = decode_folder(root, image_size, channels, max_pixels)
        return images

    images = decoded(cache, cache_dir, args, build)
    if source != "folder":
        labels, names = digits_labels() if source == "digits" else named_labels(source, root, split)
        if len(labels) != len(images):
            raise DataError(f"data.source={source}: {len(images)} images but {len(labels)} labels")
        return images, labels, names
    folder = _check_root(root)
    files = found.get("files") or find_image_files(folder)
    if len(files) != len(images):  # a cache hit on a folder with unreadable files
        skipped = len(files) - len(images)
        log.info("data.cache: %d file(s) were unreadable; decoding with labels", skipped)
        return load_labeled(*args)
    labels, names = folder_labels(folder, files)
    return images, labels, names
