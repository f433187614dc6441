"""Instance noise (ganhacks 13): Gaussian noise on D's inputs, annealed linearly to zero."""

from __future__ import annotations

import torch
from torch import Tensor


def instance_noise_std(std: float, decay_steps: int, iteration: int) -> float:
    """The noise std at `iteration`: linear from `std` to 0 at `decay_steps` (0: constant)."""
    if std <= 0:
        return 0.0
    if decay_steps <= 0:
        return float(std)
    return float(std) * max(0.0, 1.0 - iteration / decay_steps)


def add_instance_noise(images: Tensor, std: float) -> Tensor:
    """Blur the real and fake distributions into each other so D cannot separate them perfectly."""
    if std <= 0:
        return images
    return images + std * torch.randn_like(images)
