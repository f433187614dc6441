"""Real image folders of two trivially different classes: dark and bright squares."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

LEVELS = {"dark": 30, "bright": 225}  # mean grey level of each class


def write_squares(folder: Path, level: int, count: int, seed: int = 0) -> None:
    """`count` 16 px RGB PNGs of grey `level` with a little noise, so no two are alike."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    for i in range(count):
        pixels = np.clip(level + rng.normal(0, 12, (16, 16, 3)), 0, 255).astype(np.uint8)
        Image.fromarray(pixels).save(folder / f"{i:03d}.png")


@pytest.fixture
def squares(tmp_path: Path) -> Callable[..., Path]:
    """Make `<tmp>/pics/<class>/*.png` with `count` images of each class in LEVELS."""

    def make(count: int = 24, classes: tuple[str, ...] = ("dark", "bright")) -> Path:
        root = tmp_path / "pics"
        for k, name in enumerate(classes):
            write_squares(root / name, LEVELS[name], count, seed=k)
        return root

    return make
