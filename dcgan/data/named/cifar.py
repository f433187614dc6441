"""CIFAR-10 and CIFAR-100: the python-version batches, pickled dicts of uint8 rows."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..error import DataError
from .base import SPLIT_PARTS, NamedSet, torchvision_fetch

if TYPE_CHECKING:
    import numpy as np

# What a batch may hold: NumPy arrays and dtypes, nothing that runs code.
_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("numpy.core.multiarray", "scalar"),
    ("numpy._core.multiarray", "scalar"),
}


class _ArraysOnly(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a CIFAR batch")
        return super().find_class(module, name)


def unpickle(path: Path) -> dict[str, Any]:
    """One batch or meta file as a dict with str keys, refusing any pickled code."""
    try:
        with open(path, "rb") as fh:
            raw = _ArraysOnly(fh, encoding="bytes").load()
    except (OSError, EOFError, pickle.UnpicklingError, ValueError) as err:
        raise DataError(f"cannot read the CIFAR file {path}: {err}") from None
    if not isinstance(raw, dict):
        raise DataError(f"{path} is not a CIFAR batch (a {type(raw).__name__}, not a dict)")
    return {k.decode() if isinstance(k, bytes) else k: v for k, v in raw.items()}


def cifar_set(
    name: str,
    title: str,
    folder: str,
    parts: dict[str, list[str]],
    label_key: str,
    meta: str,
    size: str,
    torchvision: str,
) -> NamedSet:
    """A CIFAR version: `folder` under data.root, its batch files per split, its label key, the
    meta file that names its classes, the download's size and torchvision's class for it."""
    names_key = label_key.replace("labels", "label_names")

    def files(root: Path, split: str) -> list[Path]:
        batches = [root / folder / f for part in SPLIT_PARTS[split] for f in parts[part]]
        return [*batches, root / folder / meta]

    def batches(root: Path, split: str) -> list[dict[str, Any]]:
        out = [unpickle(path) for path in files(root, split)[:-1]]
        for path, batch in zip(files(root, split), out, strict=False):
            if "data" not in batch or label_key not in batch:
                raise DataError(f"{path} is not a {title} batch: it has no data or {label_key}")
        return out

    def read(root: Path, split: str, size: int, channels: int, max_pixels: int) -> np.ndarray:
        import numpy as np

        from ..resize import fit_array

        rows = np.concatenate([np.asarray(b["data"], dtype=np.uint8) for b in batches(root, split)])
        return fit_array(rows.reshape(-1, 3, 32, 32), size, channels)

    def labels(root: Path, split: str) -> np.ndarray:
        import numpy as np

        return np.concatenate(
            [np.asarray(b[label_key], dtype=np.int64) for b in batches(root, split)]
        )

    def classes(root: Path) -> list[str]:
        found = unpickle(root / folder / meta).get(names_key, [])
        return [n.decode() if isinstance(n, bytes) else str(n) for n in found]

    return NamedSet(
        name=name,
        title=title,
        layout=f"{folder}/ (the python version, unpacked)",
        url=f"https://www.cs.toronto.edu/~kriz/{name.replace('cifar', 'cifar-')}-python.tar.gz",
        download_size=size,
        files=files,
        read=read,
        count=lambda root, split: None,  # the batches must be unpickled to count: at setup
        labels=labels,
        classes=classes,
        fetch=torchvision_fetch(torchvision, train={"train": True}, test={"train": False}),
    )


CIFAR10 = cifar_set(
    "cifar10",
    "CIFAR-10",
    "cifar-10-batches-py",
    {"train": [f"data_batch_{i}" for i in range(1, 6)], "test": ["test_batch"]},
    "labels",
    "batches.meta",
    "163 MB",
    "CIFAR10",
)
CIFAR100 = cifar_set(
    "cifar100", "CIFAR-100", "cifar-100-python", {"train": ["train"], "test": ["test"]},
    "fine_labels", "meta", "161 MB", "CIFAR100",
)  # fmt: skip
