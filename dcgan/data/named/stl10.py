"""STL-10: binary files of 96x96 RGB images stored channel by channel, column-major."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..error import DataError
from .base import SPLIT_PARTS, NamedSet, torchvision_fetch

if TYPE_CHECKING:
    import numpy as np

FOLDER = "stl10_binary"
SIDE = 96
IMAGE_BYTES = 3 * SIDE * SIDE
CLASSES = ("airplane", "bird", "car", "cat", "deer", "dog", "horse", "monkey", "ship", "truck")


def _files(root: Path, split: str) -> list[Path]:
    return [root / FOLDER / f"{part}_X.bin" for part in SPLIT_PARTS[split]]


def _count(root: Path, split: str) -> int:
    sizes = [path.stat().st_size for path in _files(root, split)]
    for path, size in zip(_files(root, split), sizes, strict=True):
        if size % IMAGE_BYTES:
            raise DataError(f"{path} is not an STL-10 image file: {size} bytes, not N x 27,648")
    return sum(size // IMAGE_BYTES for size in sizes)


def _read(root: Path, split: str, size: int, channels: int, max_pixels: int) -> np.ndarray:
    import numpy as np

    from ..resize import fit_array

    _count(root, split)  # a file of the wrong size is refused, not reshaped into nonsense
    parts = [
        np.memmap(path, dtype=np.uint8, mode="r").reshape(-1, 3, SIDE, SIDE).transpose(0, 1, 3, 2)
        for path in _files(root, split)
    ]
    return np.concatenate([fit_array(part, size, channels) for part in parts])


def _labels(root: Path, split: str) -> np.ndarray:
    import numpy as np

    paths = [path.with_name(path.name.replace("_X", "_y")) for path in _files(root, split)]
    missing = [path for path in paths if not path.is_file()]
    if missing:
        raise DataError(f"STL-10 labels {missing[0]} not found: model.conditional=true needs them")
    labels = np.concatenate([np.fromfile(path, dtype=np.uint8) for path in paths])
    return labels.astype(np.int64) - 1  # saved 1..10


STL10 = NamedSet(
    name="stl10",
    title="STL-10",
    layout=f"{FOLDER}/ (train_X.bin, train_y.bin, test_X.bin, test_y.bin)",
    url="https://cs.stanford.edu/~acoates/stl10/",
    download_size="2.6 GB",
    files=_files,
    read=_read,
    count=_count,
    labels=_labels,
    classes=lambda root: list(CLASSES),
    fetch=torchvision_fetch("STL10", train={"split": "train"}, test={"split": "test"}),
)
