"""The latent priors by name (`noise=`), drawn with torch (training) or per image (generation).

Training draws batches with torch on the model's device; generation draws image `i` of seed `s`
from its own NumPy stream, so that it does not depend on `n` or `batch_size`. Both follow the
one definition of the prior here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dcgan.checks import ConfigError, Registry, key

if TYPE_CHECKING:  # the config checks read PRIORS: they load neither
    import numpy as np
    import torch
    from torch import Tensor


@dataclass(frozen=True)
class Prior:
    """One latent distribution, drawn from torch or from a NumPy generator, and its truncation:
    z drawn closer to the prior's centre, trading variety for typical images."""

    torch: Callable[[int, int, torch.device | str | None, torch.Generator | None], Tensor]
    numpy: Callable[[np.random.Generator, int], np.ndarray]
    truncate: Callable[[np.ndarray, float, np.random.Generator], np.ndarray]
    truncation_rule: str  # what `truncate` does, in words ({t}: the value)


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


def _shrink(z: np.ndarray, t: float, rng: np.random.Generator) -> np.ndarray:
    """Uniform prior: scale toward 0, so z ~ U(-t, t)."""
    return z * z.dtype.type(t)


def _redraw(z: np.ndarray, t: float, rng: np.random.Generator) -> np.ndarray:
    """Normal prior: draw each entry beyond +-t again from the same stream until it is within;
    the entries within stay, so an image keeps most of its untruncated noise."""
    z = z.copy()
    beyond = abs(z) > t
    while beyond.any():
        z[beyond] = rng.standard_normal(int(beyond.sum()), dtype=z.dtype)
        beyond = abs(z) > t
    return z


PRIORS: Registry[Prior] = Registry(
    "latent priors",
    key="noise",
    # U(-1, 1): the original project
    uniform=Prior(_uniform, _uniform_numpy, _shrink, "z ~ U(-{t}, {t}): U(-1, 1) scaled by {t}"),
    # N(0, 1)
    normal=Prior(
        _normal, _normal_numpy, _redraw, "z ~ N(0, 1), each entry beyond +-{t} drawn again"
    ),
)


@dataclass
class NoiseConfig:
    name: str = key("uniform", "the prior of z", choices=PRIORS)


def check_truncation(truncation: float | None, kind: str) -> None:
    """A truncation must be > 0; the uniform prior's (a scale toward 0) at most 1."""
    if truncation is None:
        return
    top = 1.0 if kind == "uniform" else float("inf")
    if not 0 < truncation <= top:
        rule = "a scale in (0, 1] for the uniform prior" if kind == "uniform" else "> 0"
        raise ConfigError(f"truncation={truncation} is invalid for noise={kind}: choose {rule}")


def sample_noise(
    n: int,
    latent_dim: int,
    kind: str,
    device: torch.device | str | None = None,
    generator: torch.Generator | None = None,
) -> Tensor:
    """A batch [n, latent_dim] from the prior, drawn by torch."""
    return PRIORS.lookup(kind).torch(n, latent_dim, device, generator)
