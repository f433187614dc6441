"""Instance noise (ganhacks 13): Gaussian noise on D's inputs, annealed linearly to zero."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from dcgan.checks import at_least, key
from dcgan.tricks.base import Trick, register

if TYPE_CHECKING:
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
    import torch

    return images + std * torch.randn_like(images)


@dataclass
class InstanceNoiseConfig:
    std: float = key(0.0, "std of the noise on D's inputs; 0 = off", rule=at_least(0))
    decay_steps: int = key(
        0,
        "iterations of linear decay to 0; 0 = constant std",
        rule=at_least(0),
    )


@register
class InstanceNoise(Trick):
    """Every image D sees, real and fake, in D's and G's steps, gets noise of the current std."""

    name = "instance_noise"
    Config = InstanceNoiseConfig
    order = 10  # last: on exactly what D sees

    @classmethod
    def enabled(cls, cfg: InstanceNoiseConfig) -> bool:
        """On when std > 0."""
        return cfg.std > 0

    def std(self) -> float:
        """The std at the GAN's current iteration."""
        return instance_noise_std(self.cfg.std, self.cfg.decay_steps, self.gan.iteration)

    def d_inputs(self, real: Tensor, fake: Tensor) -> tuple[Tensor, Tensor]:
        """Noise on both batches of D's step."""
        std = self.std()
        return add_instance_noise(real, std), add_instance_noise(fake, std)

    def g_input(self, fake: Tensor) -> Tensor:
        """Noise on the fakes of G's step too, so D sees the same distribution in both."""
        return add_instance_noise(fake, self.std())

    def log_values(self) -> dict[str, float]:
        """The annealed std."""
        return {"std": self.std()}
