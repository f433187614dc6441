"""Augmentation D sees on real and fake images alike, fixed (DiffAugment) or adaptive (ADA).

On a few hundred images D memorises the real set; augmenting every image D sees, in D's step
and in G's (differentiably, so G learns through it), keeps it from doing so without teaching G
the augmentations. With `adaptive`, p follows r_t = E[sign(D(real))] towards `target`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import Tensor

from dcgan.augment import POLICIES, STRENGTHS, AdaptiveP, Augmenter
from dcgan.checks import ConfigError, check
from dcgan.tricks.base import Trick, register

# Where D's raw score separates "real" from "fake": lsgan regresses to 1 and 0, the rest to +/-.
DECISION_CENTER: dict[str, float] = {"lsgan": 0.5}


@dataclass
class AugmentConfig:
    """The `augment.*` keys; the defaults switch it off."""

    policy: list[str] = field(default_factory=list)  # any of color, translation, cutout
    p: float = 0.0  # probability per image and operation; where ADA starts
    adaptive: bool = False  # ADA: p follows r_t
    target: float = 0.6  # the r_t that ADA holds
    speed_kimg: float = 100.0  # thousands of images for p to go from 0 to 1
    interval: int = 4  # iterations between p updates
    brightness: float = STRENGTHS["brightness"]
    saturation: float = STRENGTHS["saturation"]
    contrast: float = STRENGTHS["contrast"]
    translation: float = STRENGTHS["translation"]
    cutout: float = STRENGTHS["cutout"]


def _seed_for_rank(seed: int, rank: int) -> int:
    return (seed + 1_000_003 * rank) % 2**63


@register
class Augment(Trick):
    """Augments D's inputs in both steps; with `adaptive`, moves p after D's steps."""

    name = "augment"
    Config = AugmentConfig
    order = 0  # after replay (which stores clean fakes), before instance noise (on what D sees)

    @classmethod
    def enabled(cls, cfg: Any) -> bool:
        """On when something can be augmented, or when ADA measures r_t (policy [] logs it only)."""
        return bool(cfg.adaptive) or (bool(cfg.policy) and cfg.p > 0)

    @classmethod
    def check(cls, cfg: Any, key: Callable[[str], str]) -> None:
        """Names the key of a policy, probability, target, speed or strength that cannot work."""
        for name in cfg.policy:
            if name not in POLICIES:
                raise ConfigError(
                    f"{key('policy')}={list(cfg.policy)!r} names {name!r}, which is unknown; "
                    f"choose any of: {', '.join(POLICIES)}, e.g. {key('policy')}=[color,cutout]"
                )
        check(0 <= cfg.p <= 1, key("p"), cfg.p, "must be in [0, 1]")
        check(0 < cfg.target < 1, key("target"), cfg.target, "must be in (0, 1), e.g. 0.6")
        check(
            cfg.speed_kimg > 0, key("speed_kimg"), cfg.speed_kimg, "must be > 0 (1000s of images)"
        )
        check(cfg.interval >= 1, key("interval"), cfg.interval, "must be >= 1 (iterations)")
        for name in STRENGTHS:
            check(getattr(cfg, name) >= 0, key(name), getattr(cfg, name), "must be >= 0")

    def __init__(self, cfg: Any, gan: Any) -> None:
        super().__init__(cfg, gan)
        strengths = {s: float(getattr(cfg, s)) for s in STRENGTHS}
        # torch's seed, set from the run's `seed` before the module is built; no number is drawn
        self._seed = torch.initial_seed()
        self.augmenter = Augmenter(list(cfg.policy), self._seed, strengths)
        self.ada = (
            AdaptiveP(cfg.p, cfg.target, cfg.speed_kimg, cfg.interval) if cfg.adaptive else None
        )

    @property
    def p(self) -> float:
        """The probability in use now."""
        return self.ada.p if self.ada is not None else float(self.cfg.p)

    def _augment(self, images: Tensor) -> Tensor:
        if self.augmenter.generator is None:  # each process its own stream (DDP)
            self.augmenter.seed = _seed_for_rank(self._seed, self.gan.global_rank)
        return self.augmenter(images, self.p)

    def d_inputs(self, real: Tensor, fake: Tensor) -> tuple[Tensor, Tensor]:
        """Real and fake each get their own random transforms."""
        return self._augment(real), self._augment(fake)

    def g_input(self, fake: Tensor) -> Tensor:
        """The same distribution of transforms in G's step, with G's graph kept."""
        return self._augment(fake)

    def after_d_step(self, real_logits: Tensor, fake_logits: Tensor) -> None:
        """Gather the signs of D's scores on the (augmented) real batch."""
        if self.ada is not None:
            self.ada.observe(real_logits, DECISION_CENTER.get(self._loss_name(), 0.0))

    def after_g_step(self) -> None:
        """At the end of each iteration, let ADA move p (every `interval` iterations)."""
        gan = self.gan
        if self.ada is None or gan.global_step % gan.steps_per_iteration != 0:
            return
        reduce = None
        if gan.trainer.world_size > 1:  # every rank must use the same p

            def reduce(t: Tensor) -> Tensor:
                return gan.trainer.strategy.reduce(t, reduce_op="sum")

        self.ada.update(gan.iteration, reduce)

    def _loss_name(self) -> str:
        return str(self.gan.cfg.loss.name)

    def log_values(self) -> dict[str, float]:
        """p, and r_t of the last interval when ADA measures it."""
        values = {"p": self.p}
        if self.ada is not None:
            values["rt"] = self.ada.rt
        return values

    def state_dict(self) -> dict[str, Any]:
        """The augmentation stream and ADA's p, so a resumed run continues exactly."""
        return {
            "augmenter": self.augmenter.state_dict(),
            "ada": None if self.ada is None else self.ada.state_dict(),
        }

    def load_state_dict(self, state: Any) -> None:
        """Continue a saved run; a checkpoint without this trick starts it fresh."""
        if not state:
            return
        self.augmenter.load_state_dict(state.get("augmenter") or {})
        if self.ada is not None and state.get("ada"):
            self.ada.load_state_dict(state["ada"])
