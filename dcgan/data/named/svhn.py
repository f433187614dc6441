"""SVHN (cropped digits): MATLAB files with X [32, 32, 3, N] and y [N, 1] (10 stands for 0)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..error import DataError
from .base import SPLIT_PARTS, NamedSet, torchvision_fetch
from .idx import DIGIT_CLASSES

if TYPE_CHECKING:
    import numpy as np


def _files(root: Path, split: str) -> list[Path]:
    return [root / f"{part}_32x32.mat" for part in SPLIT_PARTS[split]]


def _load(path: Path) -> dict[str, Any]:
    from scipy.io import loadmat  # SciPy only for this set

    try:
        mat = loadmat(path, variable_names=["X", "y"])
    except Exception as err:  # SciPy raises several kinds for a broken or foreign file
        raise DataError(f"cannot read the SVHN file {path}: {err}") from None
    if "X" not in mat or "y" not in mat or mat["X"].ndim != 4:
        raise DataError(f"{path} is not an SVHN file: it needs X [32, 32, 3, N] and y [N, 1]")
    return mat


def _read(root: Path, split: str, size: int, channels: int, max_pixels: int) -> np.ndarray:
    import numpy as np

    from ..resize import fit_array

    parts = [_load(path)["X"].transpose(3, 2, 0, 1) for path in _files(root, split)]
    return fit_array(np.concatenate(parts).astype(np.uint8, copy=False), size, channels)


def _labels(root: Path, split: str) -> np.ndarray:
    import numpy as np

    y = np.concatenate([_load(path)["y"].reshape(-1) for path in _files(root, split)])
    return (y.astype(np.int64) % 10).astype(np.int64)  # the digit 0 is saved as 10


SVHN = NamedSet(
    name="svhn",
    title="SVHN",
    layout="train_32x32.mat and test_32x32.mat",
    url="http://ufldl.stanford.edu/housenumbers/",
    download_size="182 MB + 64 MB",
    files=_files,
    read=_read,
    count=lambda root, split: None,  # the .mat files must be loaded to count: at setup
    labels=_labels,
    classes=lambda root: list(DIGIT_CLASSES),
    fetch=torchvision_fetch("SVHN", train={"split": "train"}, test={"split": "test"}),
)
