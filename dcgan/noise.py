"""The latent priors by name (`noise=`), drawn with torch (training) or per image (generation).

Training draws batches with torch on the model's device; generation draws image `i` of seed `s`
from its own NumPy stream, so that it does not depend on `n` or `batch_size`. Both follow the
one definition of the prior here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from dcgan.checks import choose


@dataclass(frozen=True)
class Prior:
    """One latent distribution, drawn from torch or from a NumPy generator."""

    torch: Callable[[int, int, torch.device | str | None, torch.Generator | None], Tensor]
    numpy: Callable[[np.random.Generator, int], np.ndarray]


PRIORS: dict[str, Prior] = {
    "uniform": Prior(  # U(-1, 1): the original project
        lambda n, d, device, gen: torch.rand(n, d, device=device, generator=gen) * 2 - 1,
        lambda rng, d: rng.random(d, dtype=np.float32) * 2 - 1,
    ),
    "normal": Prior(  # N(0, 1)
        lambda n, d, device, gen: torch.randn(n, d, device=device, generator=gen),
        lambda rng, d: rng.standard_normal(d, dtype=np.float32),
    ),
}


def prior(kind: str) -> Prior:
    """The registered prior, or an error listing them."""
    choose("noise", kind, PRIORS)
    return PRIORS[kind]


def sample_noise(
    n: int,
    latent_dim: int,
    kind: str,
    device: torch.device | str | None = None,
    generator: torch.Generator | None = None,
) -> Tensor:
    """A batch [n, latent_dim] from the prior, drawn by torch."""
    return prior(kind).torch(n, latent_dim, device, generator)
