"""CelebA, aligned and cropped: JPEG files listed with their split in list_eval_partition.txt."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..error import DataError
from .base import NamedSet, torchvision_fetch

if TYPE_CHECKING:
    import numpy as np

FOLDER = "celeba"
PARTITIONS = {"train": {"0"}, "test": {"2"}, "all": {"0", "1", "2"}}  # 1 is validation


def _files(root: Path, split: str) -> list[Path]:
    return [root / FOLDER / "list_eval_partition.txt", root / FOLDER / "img_align_celeba"]


def _listed(root: Path, split: str) -> list[Path]:
    """The image files of `split`, in the partition file's order."""
    listing, images = _files(root, split)
    out = []
    for number, line in enumerate(listing.read_text().splitlines(), 1):
        fields = line.split()
        if not fields:
            continue
        if len(fields) != 2:
            raise DataError(f"{listing}:{number} is not '<file> <partition>': {line.strip()!r}")
        if fields[1] in PARTITIONS[split]:
            out.append(images / fields[0])
    return out


def _read(root: Path, split: str, size: int, channels: int, max_pixels: int) -> np.ndarray:
    from ..sources import decode_files

    files = [str(path) for path in _listed(root, split)]
    images, kept, skipped = decode_files(files, size, channels, max_pixels, where=str(root))
    if not kept:
        first = f" (first: {skipped[0][0]}: {skipped[0][1]})" if skipped else ""
        raise DataError(f"CelebA in {root}: no readable image in data.split={split}{first}")
    return images


CELEBA = NamedSet(
    name="celeba",
    title="CelebA",
    layout=f"{FOLDER}/img_align_celeba/ and {FOLDER}/list_eval_partition.txt",
    url="https://mmlab.ie.cuhk.edu.hk/projects/CelebA.html",
    download_size="1.4 GB, from Google Drive, which often refuses: then fetch it by hand",
    files=_files,
    read=_read,
    count=lambda root, split: len(_listed(root, split)),
    fetch=torchvision_fetch("CelebA", train={"split": "train"}, test={"split": "test"}),
)
