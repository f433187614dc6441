"""A decoded dataset saved once as a uint8 .npy and memory-mapped by every later run.

The file name holds two hashes: one of what was asked (source, root, split, image_size, channels,
max_pixels) and one of what is on disk (each file's path, size and mtime). A changed, added or
removed file changes the second hash, so a stale array is never read: it is rebuilt, and the
older array for the same request is deleted. A file lock lets only one of several runs that start
at once decode; the others wait and then map its file. Writes go to a temporary name and are
renamed, so a reader never sees half an array.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from filelock import FileLock

from dcgan.atomic import write_atomic

from .files import DataError, _check_root, find_image_files
from .named import NAMED

log = logging.getLogger(__name__)

CACHE_FORMAT = 1  # bump when the decoding changes, so old arrays are not reused


def default_cache_dir() -> Path:
    """$XDG_CACHE_HOME/dcgan or ~/.cache/dcgan: writable even when the images folder is not."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "dcgan"


def _stat_list(paths: list[str], base: str) -> list[tuple[str, int, int]]:
    """(relative path, size, mtime in ns) of each file: cheap, and changes with any edit."""
    out = []
    for path in paths:
        try:
            st = os.stat(path)
            out.append((os.path.relpath(path, base), st.st_size, st.st_mtime_ns))
        except OSError:  # a broken link: it is skipped at decode time, and keyed as missing
            out.append((os.path.relpath(path, base), -1, -1))
    return out


def fingerprint(
    source: str, root: str | None, image_size: int, channels: int, split: str, max_pixels: int
) -> tuple[dict[str, Any], list[Any]]:
    """What was asked (the request) and what is on disk now (the contents) for one dataset."""
    request: dict[str, Any] = {
        "format": CACHE_FORMAT,
        "source": source,
        "image_size": image_size,
        "channels": channels,
    }
    if source == "folder":
        folder = _check_root(root)
        request.update(root=folder, max_pixels=max_pixels)
        contents: list[Any] = _stat_list(find_image_files(folder), folder)
    elif source in NAMED:
        found = NAMED[source]
        folder = str(found.root(root).resolve())
        request.update(root=folder, split=split)
        found.ensure(Path(folder), split)
        contents = _stat_list([str(path) for path in found.files(Path(folder), split)], folder)
    else:  # digits ship inside scikit-learn: its version is the contents
        contents = [importlib.metadata.version("scikit-learn")]
    return request, contents


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()[:16]


def cached_images(
    cache_dir: str | os.PathLike[str] | None,
    request: dict[str, Any],
    contents: list[Any],
    build: Callable[[], np.ndarray],
) -> np.ndarray:
    """Map the cached array for (request, contents), building and saving it first if missing."""
    folder = Path(os.path.expanduser(os.fspath(cache_dir))) if cache_dir else default_cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise DataError(
            f"data.cache_dir={str(folder)!r} cannot be created ({err.strerror}): "
            "set data.cache_dir to a writable folder or data.cache=false"
        ) from err
    stem = _digest(request)
    path = folder / f"{stem}-{_digest(contents)}.npy"
    with FileLock(str(folder / f"{stem}.lock")):
        images = _load(path)
        if images is not None:
            log.info("data cache hit: %s", path)
            return images
        start = time.perf_counter()
        _save_atomic(build(), path)
        for old in folder.glob(f"{stem}-*.npy"):
            if old != path:  # stale: the files changed since it was built
                old.unlink(missing_ok=True)
        log.info("data cache written in %.1f s: %s", time.perf_counter() - start, path)
        images = _load(path)
    if images is None:
        raise DataError(f"data cache file {path} could not be read back after writing it")
    return images


def decoded(
    cache: bool, cache_dir: str | None, args: tuple[Any, ...], build: Callable[[], np.ndarray]
) -> np.ndarray:
    """`build()`'s images, or with `cache` the saved array for these `fingerprint` arguments."""
    return cached_images(cache_dir, *fingerprint(*args), build) if cache else build()


def _load(path: Path) -> np.ndarray | None:
    """Map the array copy-on-write (shared pages, writable view), or None if absent or broken."""
    if not path.is_file():
        return None
    try:
        images = np.load(path, mmap_mode="c", allow_pickle=False)
    except (OSError, ValueError) as err:
        log.warning("data cache %s is unreadable (%s): rebuilding it", path, err)
        return None
    if images.ndim != 4 or images.dtype != np.uint8:
        log.warning(
            "data cache %s holds %s %s, not uint8 images: rebuilding it",
            path,
            images.dtype,
            images.shape,
        )
        return None
    return images


def _save_atomic(images: np.ndarray, path: Path) -> None:
    """Write the array through the one atomic-write helper: a reader never sees half of it."""

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as fh:  # a file object: np.save would append .npy to a name
            np.save(fh, np.ascontiguousarray(images), allow_pickle=False)

    write_atomic(
        path, write, "free space, set data.cache_dir to a writable folder, or data.cache=false"
    )
