"""The latent priors by name (`noise=`), drawn with torch (training) or per image (generation).

Training draws batches with torch on the model's device; generation draws image `i` of seed `s`
from its own NumPy stream, so that it does not depend on `n` or `batch_size`. Both follow the
one definition of the prior here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dcgan.checks import choose, key

if TYPE_CHECKING:  # the config checks read PRIORS: they load neither
    import numpy as np
    import torch
    from torch import Tensor


@dataclass(frozen=True)
class Prior:
    """One latent distribution, drawn from torch or from a NumPy generator."""

    torch: Callable[[int, int, torch.device | str | None, torch.Generator | None], Tensor]
    numpy: Callable[[np.random.Generator, int], np.ndarray]


def _uniform(
    n: int, d: int, device: torch.device | str | None, gen: torch.Generator | None
) -> Tensor:
    import torch

    return torch.rand(n, d, device=device, generator=gen) * 2 - 1


def _uniform_numpy(rng: np.random.Generator, d: int) -> np.ndarray:
    import numpy as np

    return rng.random(d, dtype=np.float32) * 2 - 1


def _normal(
    n: int, d: int, device: torch.device | str | None, gen: torch.Generator | None
) -> Tensor:
    import torch

    return torch.randn(n, d, device=device, generator=gen)


def _normal_numpy(rng: np.random.Generator, d: int) -> np.ndarray:
    import numpy as np

    return rng.standard_normal(d, dtype=np.float32)


PRIORS: dict[str, Prior] = {
    "uniform": Prior(_uniform, _uniform_numpy),  # U(-1, 1): the original project
    "normal": Prior(_normal, _normal_numpy),  # N(0, 1)
}


@dataclass
class NoiseConfig:
    name: str = key("uniform", "the prior of z", choices=PRIORS)


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
