"""Differentiable image operations: G learns through them, so D's view of fakes stays honest.

Each operation takes a batch [N, C, H, W] in [-1, 1], a per-sample strength drawn from an
explicit generator on the batch's device, and returns a batch of the same shape, dtype and
device. Every draw is made for the whole batch, whatever the probability, so a call consumes
the generator the same way each time. Samples with `apply` false come back unchanged, bit for
bit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dcgan.checks import Registry

if TYPE_CHECKING:  # the config reads POLICIES and STRENGTHS: they load no torch
    import torch
    from torch import Tensor

# The policy names a user writes, and the operations (with their strength keys) each stands for.
POLICIES: Registry[tuple[str, ...]] = Registry(
    "augmentation operations",
    key="augment.policy",
    color=("brightness", "saturation", "contrast"),
    translation=("translation",),
    cutout=("cutout",),
)

# Default strengths: the ranges of the DiffAugment paper, on images in [-1, 1].
STRENGTHS: dict[str, float] = {
    "brightness": 0.5,  # add U(-s, s)
    "saturation": 1.0,  # scale the distance to the pixel's grey by U(1 - s, 1 + s)
    "contrast": 0.5,  # scale the distance to the image's mean by U(1 - s, 1 + s)
    "translation": 0.125,  # shift by up to s x the side, whole pixels, zeros fill
    "cutout": 0.5,  # zero a square of s x the side at a random centre
}


def _uniform(x: Tensor, low: float, high: float, gen: torch.Generator) -> Tensor:
    """One float32 number per sample in [low, high), shaped to broadcast over [N, C, H, W]."""
    import torch

    u = torch.rand(x.shape[0], 1, 1, 1, device=x.device, generator=gen)
    return low + (high - low) * u


def _integers(x: Tensor, low: int, high: int, gen: torch.Generator) -> Tensor:
    """One integer per sample in [low, high], shape [N]."""
    import torch

    return torch.randint(low, high + 1, (x.shape[0],), device=x.device, generator=gen)


def _select(apply: Tensor, augmented: Tensor, x: Tensor) -> Tensor:
    import torch

    return torch.where(apply.view(-1, 1, 1, 1), augmented.to(x.dtype), x)


def brightness(x: Tensor, apply: Tensor, strength: float, gen: torch.Generator) -> Tensor:
    """Shift every pixel of an image by the same random amount."""
    shift = _uniform(x, -strength, strength, gen)
    return _select(apply, x + shift.to(x.dtype), x)


def saturation(x: Tensor, apply: Tensor, strength: float, gen: torch.Generator) -> Tensor:
    """Move colours towards or away from their grey; a no-op on one channel."""
    factor = _uniform(x, 1 - strength, 1 + strength, gen).to(x.dtype)
    grey = x.mean(dim=1, keepdim=True)
    return _select(apply, (x - grey) * factor + grey, x)


def contrast(x: Tensor, apply: Tensor, strength: float, gen: torch.Generator) -> Tensor:
    """Move pixels towards or away from the image's mean."""
    factor = _uniform(x, 1 - strength, 1 + strength, gen).to(x.dtype)
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    return _select(apply, (x - mean) * factor + mean, x)


def _shift_matrix(shift: Tensor, size: int) -> Tensor:
    """[N, 1, size, size] one-hot rows: row i picks source i - shift, or nothing off the edge."""
    import torch

    rows = torch.arange(size, device=shift.device)
    source = rows.view(1, size, 1) - shift.view(-1, 1, 1)
    return (rows.view(1, 1, size) == source).unsqueeze(1)


def translation(x: Tensor, apply: Tensor, strength: float, gen: torch.Generator) -> Tensor:
    """Shift each image by whole pixels, up to `strength` x its side; zeros (grey) fill in.

    Written as two matrix products with one-hot shift matrices rather than an index gather:
    the backward pass is then deterministic on every device, and exact in bf16 (one non-zero
    term per output pixel).
    """
    _, _, height, width = x.shape
    max_y, max_x = int(height * strength + 0.5), int(width * strength + 0.5)
    dy, dx = _integers(x, -max_y, max_y, gen), _integers(x, -max_x, max_x, gen)
    rows = _shift_matrix(dy, height).to(x.dtype)  # out = rows @ x @ cols^T
    cols = _shift_matrix(dx, width).to(x.dtype)
    return _select(apply, rows @ x @ cols.transpose(-1, -2), x)


def cutout(x: Tensor, apply: Tensor, strength: float, gen: torch.Generator) -> Tensor:
    """Zero (grey) a square of `strength` x the side, centred anywhere in the image."""
    import torch

    _, _, height, width = x.shape
    size_y, size_x = int(height * strength + 0.5), int(width * strength + 0.5)
    cy, cx = _integers(x, 0, height - 1, gen), _integers(x, 0, width - 1, gen)
    ys = torch.arange(height, device=x.device).view(1, height) - (cy - size_y // 2).view(-1, 1)
    xs = torch.arange(width, device=x.device).view(1, width) - (cx - size_x // 2).view(-1, 1)
    inside = ((ys >= 0) & (ys < size_y)).view(-1, 1, height, 1) & ((xs >= 0) & (xs < size_x)).view(
        -1, 1, 1, width
    )
    return _select(apply, x * (~inside).to(x.dtype), x)


FUNCTIONS = {
    "brightness": brightness,
    "saturation": saturation,
    "contrast": contrast,
    "translation": translation,
    "cutout": cutout,
}
