"""Balanced consistency regularization (bCR, Zhao et al. 2021): D unmoved by augmentation.

D's loss gains real_weight * E[(D(x) - D(T(x)))^2] + fake_weight * E[(D(G(z)) - D(T(G(z))))^2],
with T the operations of `policy` from the augmentation pipeline (dcgan/augment), each applied
to every image. Unlike DiffAugment, G never sees T: only D is taught that T changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dcgan.augment import Augmenter
from dcgan.augment.ops import POLICIES
from dcgan.checks import at_least, check, key
from dcgan.tricks.augment import seed_for_rank
from dcgan.tricks.base import DStep, Trick, register
from dcgan.tricks.d_batch import discriminate

if TYPE_CHECKING:
    from torch import Tensor


@dataclass
class BCRConfig:
    """The `bcr.*` keys; the defaults switch it off."""

    real_weight: float = key(
        0.0, "lambda_real of E[(D(x) - D(T(x)))^2] (the paper: 10); 0 = off", rule=at_least(0)
    )
    fake_weight: float = key(
        0.0, "lambda_fake, the same on the fakes (the paper: 10); 0 = off", rule=at_least(0)
    )
    policy: list[str] = key(
        help="T: operations of the augmentation pipeline at their default strengths (bCR's "
        "CIFAR setting)",
        choices=POLICIES,
        factory=lambda: ["translation", "cutout"],
    )


def _sq_change(logits: Tensor, augmented: Tensor) -> Tensor:
    """E[(D(x) - D(T(x)))^2] in float32."""
    return ((logits.float() - augmented.float()) ** 2).mean()


@register
class BCR(Trick):
    """Scores augmented copies of D's batches and penalises D's change of mind."""

    name = "bcr"
    Config = BCRConfig

    @classmethod
    def enabled(cls, cfg: BCRConfig) -> bool:
        """On when either weight is > 0."""
        return cfg.real_weight > 0 or cfg.fake_weight > 0

    @classmethod
    def check(cls, cfg: BCRConfig, key: Callable[[str], str]) -> None:
        """A non-empty policy when a weight is on (each key's own rule is declared)."""
        check(
            bool(cfg.policy) or not cls.enabled(cfg),
            key("policy"),
            list(cfg.policy),
            "names no operation, so D is compared with itself; e.g. [translation,cutout]",
        )

    def __init__(self, cfg: BCRConfig, gan: Any) -> None:
        import torch

        super().__init__(cfg, gan)
        # its own stream, apart from augment's: torch's seed, set from the run's `seed`
        self._seed = (torch.initial_seed() + 0xBC5) % 2**63
        self.augmenter = Augmenter(list(cfg.policy), self._seed)
        self._penalty: Tensor | None = None

    def _augment(self, images: Tensor) -> Tensor:
        if self.augmenter.generator is None:  # each process its own stream (DDP)
            self.augmenter.seed = seed_for_rank(self._seed, self.gan.global_rank)
        return self.augmenter(images, 1.0)

    def d_penalty(self, seen: DStep) -> Tensor | None:
        """The weighted squared change of D's logits under T, on the batches D just scored."""
        d = self.gan.discriminator
        real_w, fake_w = self.cfg.real_weight, self.cfg.fake_weight
        if real_w > 0 and fake_w > 0:  # one call, as D's step saw them (separate or mixed)
            policy = self.gan.cfg.d_batch.name
            real_t, fake_t = self._augment(seen.real), self._augment(seen.fake)
            real_aug, fake_aug = discriminate(d, real_t, fake_t, policy, seen.real_y, seen.fake_y)
            penalty = real_w * _sq_change(seen.real_logits, real_aug)
            return self._keep(penalty + fake_w * _sq_change(seen.fake_logits, fake_aug))
        one = (real_w, seen.real, seen.real_logits, seen.real_y) if real_w > 0 else None
        weight, images, logits, y = one or (fake_w, seen.fake, seen.fake_logits, seen.fake_y)
        augmented = self._augment(images)
        scored = d(augmented) if y is None else d(augmented, y)
        return self._keep(weight * _sq_change(logits, scored))

    def _keep(self, penalty: Tensor) -> Tensor:
        self._penalty = penalty.detach()
        return penalty

    def log_values(self) -> dict[str, float]:
        """The last weighted penalty."""
        return {} if self._penalty is None else {"penalty": float(self._penalty)}

    def state_dict(self) -> dict[str, Any]:
        """The stream of T, so a resumed run draws the same transforms."""
        return {"augmenter": self.augmenter.state_dict()}

    def load_state_dict(self, state: Any) -> None:
        """Continue a saved run's stream; a checkpoint without it starts the stream fresh."""
        if state and state.get("augmenter"):
            self.augmenter.load_state_dict(state["augmenter"])
