"""Tiny copies of the named datasets, each written in its own on-disk format and layout."""

from __future__ import annotations

import gzip
import pickle
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

N = 12  # images per split: a batch of 8 fits; classes cycle 0, 1, 2, ...


def _pixels(n: int, shape: tuple[int, ...], seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (n, *shape), dtype=np.uint8)


def write_cifar(root: Path, version: int = 10) -> None:
    """cifar-10-batches-py/ (5 train batches + test_batch + batches.meta) or cifar-100-python/."""
    if version == 10:
        folder, key, names_key, meta = (
            "cifar-10-batches-py",
            b"labels",
            b"label_names",
            "batches.meta",
        )
        parts = {f"data_batch_{i}": i for i in range(1, 6)} | {"test_batch": 9}
    else:
        folder, key, names_key, meta = (
            "cifar-100-python",
            b"fine_labels",
            b"fine_label_names",
            "meta",
        )
        parts = {"train": 1, "test": 9}
    (root / folder).mkdir(parents=True, exist_ok=True)
    for name, seed in parts.items():
        batch = {b"data": _pixels(N, (3 * 32 * 32,), seed), key: [i % 3 for i in range(N)]}
        (root / folder / name).write_bytes(pickle.dumps(batch))
    classes = [f"class{i}".encode() for i in range(version)]
    (root / folder / meta).write_bytes(pickle.dumps({names_key: classes}))


def write_idx(folder: Path) -> None:
    """{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz, as MNIST and Fashion-MNIST ship."""
    folder.mkdir(parents=True, exist_ok=True)
    for prefix, seed in (("train", 1), ("t10k", 2)):
        images = np.array([2051, N, 28, 28], ">u4").tobytes() + _pixels(N, (28, 28), seed).tobytes()
        labels = np.array([2049, N], ">u4").tobytes() + bytes(i % 3 for i in range(N))
        for kind, data in (("images-idx3", images), ("labels-idx1", labels)):
            with gzip.open(folder / f"{prefix}-{kind}-ubyte.gz", "wb") as fh:
                fh.write(data)


def write_svhn(root: Path) -> None:
    """train_32x32.mat and test_32x32.mat: X [32, 32, 3, N], y [N, 1] with 10 for the digit 0."""
    from scipy.io import savemat

    root.mkdir(parents=True, exist_ok=True)
    for part, seed in (("train", 1), ("test", 2)):
        x = _pixels(N, (32, 32, 3), seed).transpose(1, 2, 3, 0)
        y = np.array([[10 if i % 3 == 0 else i % 3] for i in range(N)], dtype=np.uint8)
        savemat(root / f"{part}_32x32.mat", {"X": x, "y": y})


def write_stl10(root: Path) -> None:
    """stl10_binary/{train,test}_{X,y}.bin: 96x96 RGB, labels 1..10."""
    folder = root / "stl10_binary"
    folder.mkdir(parents=True, exist_ok=True)
    for part, seed in (("train", 1), ("test", 2)):
        (folder / f"{part}_X.bin").write_bytes(_pixels(N, (3, 96, 96), seed).tobytes())
        (folder / f"{part}_y.bin").write_bytes(bytes(1 + i % 3 for i in range(N)))


def write_celeba(root: Path) -> None:
    """celeba/img_align_celeba/*.jpg (178x218) and celeba/list_eval_partition.txt."""
    folder = root / "celeba" / "img_align_celeba"
    folder.mkdir(parents=True, exist_ok=True)
    lines = []
    for i, pixels in enumerate(_pixels(2 * N, (218, 178, 3), 3), 1):
        Image.fromarray(pixels).save(folder / f"{i:06d}.jpg", quality=90)
        lines.append(f"{i:06d}.jpg {0 if i <= N else 2}")
    (root / "celeba" / "list_eval_partition.txt").write_text("\n".join(lines) + "\n")


WRITERS: dict[str, Callable[[Path], None]] = {
    "cifar10": write_cifar,
    "cifar100": lambda root: write_cifar(root, 100),
    "mnist": lambda root: write_idx(root / "MNIST" / "raw"),
    "fashion_mnist": lambda root: write_idx(root / "FashionMNIST" / "raw"),
    "svhn": write_svhn,
    "stl10": write_stl10,
    "celeba": write_celeba,
}
