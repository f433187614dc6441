"""Image, grid and GIF files, each written through `write_atomic`: never half a file."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image

from dcgan.atomic import write_atomic
from dcgan.checks import Registry

if TYPE_CHECKING:  # torch is imported where a grid is made, not to check arguments
    from torch import Tensor

FORMATS = Registry("image file formats", key="format", png="PNG", jpg="JPEG")


def to_pil(image: Tensor | np.ndarray) -> Image.Image:
    """uint8 [H, W, C] with C = 1 or 3 -> a greyscale or RGB picture."""
    array = np.asarray(image)
    return Image.fromarray(array[..., 0] if array.shape[-1] == 1 else array)


def save_image(image: Tensor | np.ndarray, path: Path, fmt: str = "png") -> None:
    """Write one uint8 [H, W, C] image as PNG or JPEG (quality 95)."""
    extra = {"quality": 95} if fmt == "jpg" else {}
    write_atomic(path, lambda tmp: to_pil(image).save(tmp, FORMATS.lookup(fmt), **extra))


def grid(images: Tensor, nrow: int | None = None, padding: int = 2) -> Tensor:
    """uint8 [B, H, W, C] -> one uint8 [H', W', C] grid; `nrow` images a row (default: square).

    torchvision's `make_grid` layout (a black border of `padding` around every image, none
    around a single one), written here: importing torchvision took 4 s of `dcgan.generate`.
    """
    import torch

    count, height, width, channels = images.shape
    if count == 1:
        return images[0].contiguous()
    cols = min(nrow or max(1, math.ceil(math.sqrt(count))), count)
    rows = math.ceil(count / cols)
    step_y, step_x = height + padding, width + padding
    tiled = torch.zeros(
        (rows * step_y + padding, cols * step_x + padding, channels), dtype=images.dtype
    )
    for k in range(count):
        top, left = (k // cols) * step_y + padding, (k % cols) * step_x + padding
        tiled[top : top + height, left : left + width] = images[k]
    return tiled


def save_gif(frames: Sequence[Image.Image], path: Path, ms: int = 200, last_ms: int = 1000) -> None:
    """An endlessly looping GIF; the last frame lingers so the end state can be seen."""
    if not frames:
        raise ValueError(f"no frames to write to {path}")
    durations = [ms] * (len(frames) - 1) + [last_ms]

    def write(tmp: Path) -> None:
        first, *rest = frames
        first.save(
            tmp, "GIF", save_all=True, append_images=rest, duration=durations, loop=0, disposal=1
        )

    write_atomic(path, write)
