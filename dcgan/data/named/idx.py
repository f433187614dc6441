"""MNIST and Fashion-MNIST: IDX files (optionally gzipped), flat or in torchvision's layout."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import TYPE_CHECKING

from ..error import DataError
from .base import SPLIT_PARTS, NamedSet, datasets_dir, torchvision_fetch

if TYPE_CHECKING:
    import numpy as np

IDX_IMAGES_MAGIC = 2051
IDX_LABELS_MAGIC = 2049
FASHION_MNIST_ROOT = "/usr/share/datasets/fashion-mnist"  # Debian: dataset-fashion-mnist
FASHION_MNIST_CLASSES = (
    "t-shirt",
    "trouser",
    "pullover",
    "dress",
    "coat",
    "sandal",
    "shirt",
    "sneaker",
    "bag",
    "ankle_boot",
)
DIGIT_CLASSES = tuple(str(d) for d in range(10))
PREFIX = {"train": "train", "test": "t10k"}


def read_idx(path: str | Path, magic: int, what: str) -> np.ndarray:
    """Parse an IDX file of uint8 (optionally gzipped): magic, big-endian sizes, then the bytes."""
    import numpy as np

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


def read_idx_labels(path: str | Path) -> np.ndarray:
    """Parse an IDX1 label file (optionally gzipped): magic 2049, N, then N bytes."""
    return read_idx(path, IDX_LABELS_MAGIC, "label").astype("int64")


def idx_count(path: Path) -> int:
    """The item count in an IDX file's header (bytes 4-8, big-endian), read without the rest."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as fh:
            header = fh.read(8)
    except (OSError, EOFError) as err:
        raise DataError(f"cannot read {path}: {err}") from err
    return int.from_bytes(header[4:8], "big") if len(header) == 8 else 0


def _idx_file(folder: Path, name: str) -> Path:
    """`name`.gz when present, else `name` (what torchvision leaves after extracting)."""
    packed = folder / f"{name}.gz"
    return packed if packed.is_file() or not (folder / name).is_file() else folder / name


def _folder(root: Path, sub: str) -> Path:
    """The IDX files lie flat in root (Debian, a manual download) or in torchvision's
    <root>/<sub>/raw."""
    flat = any(root.glob("train-images-idx3-ubyte*")) or any(root.glob("t10k-images-idx3-ubyte*"))
    return root if flat else root / sub / "raw"


def idx_set(
    name: str,
    title: str,
    sub: str,
    url: str,
    size: str,
    classes: tuple[str, ...],
    default_root: object = datasets_dir,
) -> NamedSet:
    """A set of IDX files: <prefix>-images-idx3-ubyte(.gz) and <prefix>-labels-idx1-ubyte(.gz)."""

    def images(root: Path, split: str) -> list[Path]:
        folder = _folder(root, sub)
        return [_idx_file(folder, f"{PREFIX[p]}-images-idx3-ubyte") for p in SPLIT_PARTS[split]]

    def label_files(root: Path, split: str) -> list[Path]:
        folder = _folder(root, sub)
        return [_idx_file(folder, f"{PREFIX[p]}-labels-idx1-ubyte") for p in SPLIT_PARTS[split]]

    def read(root: Path, split: str, size: int, channels: int, max_pixels: int) -> np.ndarray:
        import numpy as np

        from ..resize import fit_array

        parts = [read_idx_images(path) for path in images(root, split)]
        return fit_array(np.concatenate(parts)[:, None], size, channels)

    def labels(root: Path, split: str) -> np.ndarray:
        import numpy as np

        missing = [path for path in label_files(root, split) if not path.is_file()]
        if missing:
            raise DataError(
                f"{title} labels {missing[0]}(.gz) not found (data.root={root}): "
                "model.conditional=true needs the *-labels-idx1-ubyte files next to the images"
            )
        return np.concatenate([read_idx_labels(path) for path in label_files(root, split)])

    return NamedSet(
        name=name,
        title=title,
        layout=f"{{train,t10k}}-{{images-idx3,labels-idx1}}-ubyte.gz (or {sub}/raw/ as "
        "torchvision writes it)",
        url=url,
        download_size=size,
        files=images,
        read=read,
        count=lambda root, split: sum(idx_count(path) for path in images(root, split)),
        labels=labels,
        classes=lambda root: list(classes),
        fetch=torchvision_fetch(sub, train={"train": True}, test={"train": False}),
        default_root=default_root,
    )


def _fashion_root() -> Path:
    """Debian's package when installed, else the datasets folder (torchvision's layout)."""
    debian = Path(FASHION_MNIST_ROOT)
    return debian if any(debian.glob("train-images-idx3-ubyte*")) else datasets_dir()


MNIST = idx_set(
    "mnist",
    "MNIST",
    "MNIST",
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "12 MB",
    DIGIT_CLASSES,
)
FASHION_MNIST = idx_set(
    "fashion_mnist",
    "Fashion-MNIST",
    "FashionMNIST",
    "`apt-get install dataset-fashion-mnist`, or "
    "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
    "30 MB",
    FASHION_MNIST_CLASSES,
    default_root=_fashion_root,
)
