"""R1 and R2 (Mescheder et al. 2018): D's input gradient penalised on real and on fake images.

R1 adds gamma/2 * E||grad_x D(x)||^2 on the real batch to D's loss, R2 the same on the fakes,
each with its own gamma. Lazy regularization (StyleGAN2): computed every `every`-th D step
only, scaled by `every`, so that on average it weighs the same at a fraction of the cost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dcgan.checks import at_least, key
from dcgan.losses import input_grad_sq_norm
from dcgan.tricks.base import DStep, Trick, register

if TYPE_CHECKING:
    from torch import Tensor


@dataclass
class R1Config:
    """The `r1.*` keys. The default recipe has lazy R1 (docs/studies/width64.md): gamma 0.1
    every 4th D step; `r1.gamma=0` (or `experiment=dcgan_paper`) switches it off."""

    gamma: float = key(
        0.1, "R1 on real images: gamma/2 * E||grad_x D(x)||^2; 0 = off", rule=at_least(0)
    )
    r2_gamma: float = key(0.0, "R2, the same on the fakes D sees; 0 = off", rule=at_least(0))
    every: int = key(
        4,
        "lazy: only every N-th D step, the penalty scaled by N (StyleGAN2: 16)",
        rule=at_least(1),
    )


def d_step_index(gan: Any) -> int:
    """D steps completed before the current one, counted over the whole run (resume-exact)."""
    return gan.iteration * gan.hparams.d_steps + gan.global_step % gan.steps_per_iteration


@register
class R1(Trick):
    """Adds the R1 (real) and R2 (fake) gradient penalties to D's loss on its lazy schedule."""

    name = "r1"
    Config = R1Config

    @classmethod
    def enabled(cls, cfg: R1Config) -> bool:
        """On when either gamma is > 0."""
        return cfg.gamma > 0 or cfg.r2_gamma > 0

    def __init__(self, cfg: R1Config, gan: Any) -> None:
        super().__init__(cfg, gan)
        self._sq: dict[str, Tensor] = {}  # the last E||grad||^2 on real and fake, for the logs

    def d_penalty(self, seen: DStep) -> Tensor | None:
        """gamma/2 * every * E||grad D||^2 on each batch whose gamma is on, every `every` steps."""
        every = self.cfg.every
        if d_step_index(self.gan) % every:
            return None
        total = None
        for which, gamma, images, y in (
            ("real", self.cfg.gamma, seen.real, seen.real_y),
            ("fake", self.cfg.r2_gamma, seen.fake, seen.fake_y),
        ):
            if gamma <= 0:
                continue
            sq = input_grad_sq_norm(self._critic(y), images).mean()
            self._sq[which] = sq.detach()
            term = (gamma / 2 * every) * sq
            total = term if total is None else total + term
        return total

    def _critic(self, y: Tensor | None) -> Callable[[Tensor], Tensor]:
        d = self.gan.discriminator
        return d if y is None else lambda x: d(x, y)

    def log_values(self) -> dict[str, float]:
        """E||grad_x D||^2 on real (`grad_sq_real`) and fake images at the last penalty step."""
        return {f"grad_sq_{which}": float(value) for which, value in self._sq.items()}
