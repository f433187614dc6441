"""What a dataset known by name is: where its files lie, how to read them, how to fetch them.

Each set reads its own on-disk format, the layout torchvision's dataset classes download into
`data.root`, so files fetched by either serve both. torchvision is imported only to download
(`data.download=true`); reading needs NumPy (and SciPy for SVHN's .mat files).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from dcgan.fetching import fetch_failure, reach

from ..error import DataError

if TYPE_CHECKING:
    import numpy as np

SPLIT_PARTS = {"train": ("train",), "test": ("test",), "all": ("train", "test")}


def datasets_dir() -> Path:
    """$XDG_CACHE_HOME/dcgan/datasets (~/.cache/dcgan/datasets): data.root=null of a named set."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "dcgan" / "datasets"


@dataclass(frozen=True)
class NamedSet:
    """One dataset by name: each callable takes the resolved `data.root` and a split."""

    name: str  # data.source
    title: str  # its usual spelling, in messages
    layout: str  # what must lie in data.root, in a user's words
    url: str  # where its files come from (for a manual download)
    download_size: str  # what data.download=true fetches
    files: Callable[[Path, str], list[Path]]  # the files a split needs (missing ones: not there)
    read: Callable[[Path, str, int, int, int], np.ndarray]  # root, split, size, channels, max px
    count: Callable[[Path, str], int | None]  # images of a split, cheaply; None: cannot say
    labels: Callable[[Path, str], np.ndarray] | None = None  # class index of each image
    classes: Callable[[Path], list[str]] = field(default=lambda root: [])
    fetch: Callable[[Path, str], None] | None = None  # downloads a split into root
    default_root: Callable[[], Path] = datasets_dir

    def root(self, root: str | os.PathLike[str] | None) -> Path:
        """data.root, or the set's default folder when it is null."""
        return Path(os.path.expanduser(os.fspath(root))) if root else self.default_root()

    def missing(self, root: Path, split: str) -> list[Path]:
        """The files of `split` that are not in `root`."""
        return [path for path in self.files(root, split) if not path.exists()]

    def ensure(self, root: Path, split: str, download: bool = False) -> None:
        """Every file of `split` is there, fetched first with `download`; or one line naming
        where to put them."""
        missing = self.missing(root, split)
        if not missing:
            return
        if download and self.fetch is not None:
            try:
                reach(self.url)  # offline: one reason, before torchvision is imported
                self.fetch(root, split)
            except Exception as err:  # offline, a refused mirror, a full disk: all one line
                raise DataError(
                    f"data={self.name}: cannot download {self.title} into {root} "
                    f"({fetch_failure(err)}); {self._where(root)}"
                ) from None
            missing = self.missing(root, split)
            if not missing:
                return
        fetch = f", or add data.download=true to fetch it once ({self.download_size})"
        raise DataError(
            f"data={self.name}: {self.title} is not in data.root={root} "
            f"({missing[0]} is missing); {self._where(root)}{fetch if self.fetch else ''}"
        )

    def _where(self, root: Path) -> str:
        return f"put {self.layout} in {root} (from {self.url})"

    def class_names(self, root: Path) -> list[str]:
        """The set's class names in label order; none for a set without classes."""
        return list(self.classes(root)) if self.labels is not None else []


def torchvision_fetch(cls: str, **by_split: dict[str, object]) -> Callable[[Path, str], None]:
    """Download through torchvision's dataset class `cls`, with its arguments for each part."""

    def fetch(root: Path, split: str) -> None:
        import torchvision.datasets  # only here: importing it takes a second

        root.mkdir(parents=True, exist_ok=True)
        for part in SPLIT_PARTS[split]:
            getattr(torchvision.datasets, cls)(root=str(root), download=True, **by_split[part])

    return fetch
