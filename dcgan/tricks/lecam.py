"""LeCam regularization (Tseng et al. 2021): D's outputs held near anchors that move slowly.

Anchors a_R and a_F are exponential moving averages of D's mean output on real and on fake
images. D's loss gains weight * (E[(D(x) - a_F)^2] + E[(D(G(z)) - a_R)^2]): each output is
pulled towards the other side's average, which bounds how far D can separate them when it
would otherwise memorise a small set.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dcgan.checks import at_least, key, within
from dcgan.tricks.base import DStep, Trick, register

if TYPE_CHECKING:
    from torch import Tensor


@dataclass
class LeCamConfig:
    """The `lecam.*` keys; the defaults switch it off."""

    weight: float = key(
        0.0, "lambda of the penalty (the paper: 0.3 on CIFAR-10); 0 = off", rule=at_least(0)
    )
    decay: float = key(
        0.99, "of the anchors' moving average, per D step", rule=within(0, 1, ", e.g. 0.99")
    )


def _mean_over_ranks(values: Tensor) -> Tensor:
    """The mean over DDP processes (one small collective), so every rank keeps the same anchors."""
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1:
        dist.all_reduce(values)
        values /= dist.get_world_size()
    return values


@register
class LeCam(Trick):
    """Moves the anchors by D's mean outputs, then adds the LeCam penalty to D's loss."""

    name = "lecam"
    Config = LeCamConfig

    @classmethod
    def enabled(cls, cfg: LeCamConfig) -> bool:
        """On when the weight is > 0."""
        return cfg.weight > 0

    def __init__(self, cfg: LeCamConfig, gan: Any) -> None:
        super().__init__(cfg, gan)
        self.anchors: Tensor | None = None  # [a_R, a_F]; set from the first D step's outputs
        self._penalty: Tensor | None = None

    def d_penalty(self, seen: DStep) -> Tensor | None:
        """weight * (E[(D(x) - a_F)^2] + E[(D(G(z)) - a_R)^2]) with the anchors of this step."""
        import torch

        real_out, fake_out = seen.real_logits.float(), seen.fake_logits.float()
        means = _mean_over_ranks(torch.stack([real_out.detach().mean(), fake_out.detach().mean()]))
        if self.anchors is None:
            self.anchors = means
        else:
            self.anchors = self.anchors.to(means.device).lerp(means, 1 - self.cfg.decay)
        anchor_real, anchor_fake = self.anchors[0], self.anchors[1]
        penalty = ((real_out - anchor_fake) ** 2).mean() + ((fake_out - anchor_real) ** 2).mean()
        self._penalty = penalty.detach()
        return self.cfg.weight * penalty

    def log_values(self) -> dict[str, float]:
        """The anchors and the last penalty before its weight."""
        if self.anchors is None or self._penalty is None:
            return {}
        return {
            "anchor_real": float(self.anchors[0]),
            "anchor_fake": float(self.anchors[1]),
            "penalty": float(self._penalty),
        }

    def state_dict(self) -> Any:
        """The anchors, so a resumed run continues their averages."""
        return None if self.anchors is None else {"anchors": self.anchors.detach().cpu()}

    def load_state_dict(self, state: Any) -> None:
        """Continue a saved run's anchors; a checkpoint without them starts from the next step."""
        if state and state.get("anchors") is not None:
            self.anchors = state["anchors"].clone()
