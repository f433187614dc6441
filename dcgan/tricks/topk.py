"""Top-k training of G (Sinha et al. 2020): G learns only from its most convincing fakes.

G's loss averages D's logits over the k fakes D scores highest, k = fraction x batch; the
fraction starts at 1 and decays by `gamma` each period (an epoch, or `every` iterations) down to
`min_frac` (the paper's v; 0.5). It follows from the epoch or iteration alone, so a resumed run
continues it exactly and every DDP process keeps its own k of its own batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dcgan.checks import Rule, at_least, key
from dcgan.tricks.base import Trick, register

if TYPE_CHECKING:
    from torch import Tensor


FRACTION = Rule(lambda v: 0 < v <= 1, "must be in (0, 1]")


@dataclass
class TopKConfig:
    """The `topk.*` keys; the defaults switch it off."""

    min_frac: float = key(
        1.0, "the floor of the kept fraction (the paper's v = 0.5); 1 = off", rule=FRACTION
    )
    gamma: float = key(0.99, "the kept fraction is multiplied by this each period", rule=FRACTION)
    every: int = key(0, "iterations per period of the decay; 0 = per epoch", rule=at_least(0))


def kept_fraction(min_frac: float, gamma: float, periods: int) -> float:
    """The fraction of fakes G learns from after `periods` decays: max(min_frac, gamma^periods)."""
    return max(min_frac, gamma**periods)


@register
class TopK(Trick):
    """Keeps the highest of D's logits on the fakes for G's loss."""

    name = "topk"
    Config = TopKConfig

    @classmethod
    def enabled(cls, cfg: TopKConfig) -> bool:
        """On when the fraction can fall below 1: min_frac < 1 and gamma < 1."""
        return cfg.min_frac < 1 and cfg.gamma < 1

    def __init__(self, cfg: TopKConfig, gan: Any) -> None:
        super().__init__(cfg, gan)
        self._used = 1.0  # the fraction of the last G step, for the logs

    def fraction(self) -> float:
        """The fraction of the batch G learns from now."""
        every = self.cfg.every
        periods = self.gan.current_epoch if every == 0 else self.gan.iteration // every
        return kept_fraction(self.cfg.min_frac, self.cfg.gamma, periods)

    def g_logits(self, logits: Tensor) -> Tensor:
        """The k highest logits, k = round(fraction x batch), at least 1."""
        flat = logits.flatten()
        self._used = self.fraction()
        k = max(1, round(self._used * flat.numel()))
        return flat if k >= flat.numel() else flat.topk(k).values

    def log_values(self) -> dict[str, float]:
        """The fraction G's last step learnt from."""
        return {"fraction": self._used}
