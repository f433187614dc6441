"""Augmentation D sees on real and fake images alike, fixed (DiffAugment) or adaptive (ADA).

On a few hundred images D memorises the real set; augmenting every image D sees, in D's step
and in G's (differentiably, so G learns through it), keeps it from doing so without teaching G
the augmentations. With `adaptive`, p follows an overfitting signal towards `target`: r_v, D's
scores on training against held-out images (`signal: rv`, held out by the datamodule), or
r_t = E[sign(D(real))] (`signal: rt`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dcgan.augment import (
    POLICIES,
    SIGNALS,
    STRENGTHS,
    AdaptiveP,
    Augmenter,
    augments,
    small_set_hint,
)
from dcgan.checks import Rule, above, at_least, key, within
from dcgan.tricks.base import Trick, register

if TYPE_CHECKING:
    import torch
    from torch import Tensor

# Where D's raw score separates "real" from "fake": lsgan regresses to 1 and 0, the rest to +/-.
DECISION_CENTER: dict[str, float] = {"lsgan": 0.5}


@dataclass
class AugmentConfig:
    """The `augment.*` keys; the defaults switch it off."""

    policy: list[str] = key(help="operations on every image D sees", choices=POLICIES, factory=list)
    p: float = key(
        0.0, "probability per image and operation; where ADA starts", rule=within(0, 1, closed=True)
    )
    adaptive: bool = key(False, "ADA: p follows the signal")
    signal: str = key(
        "rv", "rv: held-out images score like fakes; rt: E[sign(D(real))]", choices=SIGNALS
    )
    target: float | None = key(
        None,
        "the signal's value that ADA holds; null: rv 0.5, rt 0.6",
        rule=Rule(lambda v: 0 < v < 1, "must be in (0, 1), e.g. 0.6"),
    )
    holdout: int = key(
        256,
        "images kept out of training for r_v (at most a tenth of the set)",
        rule=at_least(1, " (images)"),
    )
    speed_kimg: float = key(100.0, "thousands of images for p to go from 0 to 1", rule=above(0))
    interval: int = key(4, "iterations between p updates", rule=at_least(1))
    brightness: float = key(
        STRENGTHS["brightness"], "add U(-s, s) to every pixel of an image", rule=at_least(0)
    )
    saturation: float = key(
        STRENGTHS["saturation"], "scale the distance to grey by U(1 - s, 1 + s)", rule=at_least(0)
    )
    contrast: float = key(
        STRENGTHS["contrast"], "scale the distance to the mean by U(1 - s, 1 + s)", rule=at_least(0)
    )
    translation: float = key(
        STRENGTHS["translation"], "shift by up to s x the side, whole pixels", rule=at_least(0)
    )
    cutout: float = key(
        STRENGTHS["cutout"], "a grey square of s x the side at a random centre", rule=at_least(0)
    )


def seed_for_rank(seed: int, rank: int) -> int:
    """Each DDP process its own augmentation stream, derived from the run's seed."""
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
    def holdout(cls, cfg: Any) -> int:
        """`holdout` images when ADA follows r_v (D on training against held-out images)."""
        return int(cfg.holdout) if cfg.adaptive and cfg.signal == "rv" else 0

    @classmethod
    def data_hint(cls, cfg: Any, num_images: int) -> str | None:
        """On a small set without augmentation, that D may memorise it."""
        return small_set_hint(num_images, augments(cfg))

    @classmethod
    def health_remedy(cls, cfg: Any) -> str | None:
        """A lower target when augmenting; else augmentation, when the set may be memorised."""
        if augments(cfg):
            return "augmentation is on: a lower augment.target raises p sooner; or try"
        return "if the set is small, D may have memorised it: try augment=ada; or"

    def __init__(self, cfg: Any, gan: Any) -> None:
        import torch

        super().__init__(cfg, gan)
        strengths = {s: float(getattr(cfg, s)) for s in STRENGTHS}
        # torch's seed, set from the run's `seed` before the module is built; no number is drawn
        self._seed = torch.initial_seed()
        self.augmenter = Augmenter(list(cfg.policy), self._seed, strengths)
        self.ada = (
            AdaptiveP(cfg.p, cfg.target, cfg.speed_kimg, cfg.interval, cfg.signal)
            if cfg.adaptive
            else None
        )
        self._fake_logits: Tensor | None = None  # the last D step's, for r_v's denominator
        self._draws: torch.Generator | None = None  # which images r_v compares

    @property
    def p(self) -> float:
        """The probability in use now."""
        return self.ada.p if self.ada is not None else float(self.cfg.p)

    def _augment(self, images: Tensor) -> Tensor:
        if self.augmenter.generator is None:  # each process its own stream (DDP)
            self.augmenter.seed = seed_for_rank(self._seed, self.gan.global_rank)
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
            self._fake_logits = fake_logits

    def after_g_step(self) -> None:
        """At the end of each iteration, let ADA move p (every `interval` iterations)."""
        gan = self.gan
        if self.ada is None or gan.global_step % gan.steps_per_iteration != 0:
            return
        if self.ada.signal == "rv" and self.ada.due(gan.iteration):
            self._observe_heldout()
        reduce = None
        if gan.trainer.world_size > 1:  # every rank must use the same p

            def reduce(t: Tensor) -> Tensor:
                return gan.trainer.strategy.reduce(t, reduce_op="sum")

        self.ada.update(gan.iteration, reduce)

    def _observe_heldout(self) -> None:
        """D's scores on as many training and held-out images (augmented alike) for r_v."""
        data = getattr(self.gan.trainer, "datamodule", None)
        heldout = getattr(data, "heldout_images", None)
        if heldout is None or len(heldout) == 0:
            raise RuntimeError(
                "augment.signal=rv compares D on training and held-out images, but the data "
                "holds none out: train with dcgan.train, or set augment.signal=rt"
            )
        import torch

        if self._draws is None:
            # its own stream, the same on every rank (they sum what they score)
            self._draws = torch.Generator().manual_seed((self._seed + 7) % 2**63)
        m = min(len(heldout), len(data.images), int(data.batch_size))
        train_idx = torch.randperm(len(data.images), generator=self._draws)[:m]
        held_idx = torch.randperm(len(heldout), generator=self._draws)[:m]
        train = self._real(data.images, data.labels, train_idx)
        held = self._real(heldout, data.heldout_labels, held_idx)
        fake = self._fake_logits if self._fake_logits is not None else torch.zeros(1)
        self.ada.observe_heldout(
            self._score(*train), self._score(*held), fake.float().mean().expand(m)
        )

    def _real(self, images: Any, labels: Any, idx: Tensor) -> tuple[Tensor, Tensor | None]:
        import torch

        x = torch.as_tensor(images[idx.numpy()]).to(self.gan.device).float().div_(127.5).sub_(1)
        y = None if labels is None else torch.as_tensor(labels[idx.numpy()]).to(self.gan.device)
        return self._augment(x), y

    def _score(self, x: Tensor, y: Tensor | None) -> Tensor:
        """D's scores with training's batch statistics; its norms' running statistics kept."""
        import torch

        d = self.gan.discriminator
        with torch.no_grad():
            saved = [b.clone() for b in d.buffers()]
            try:
                return d(x) if y is None else d(x, y)
            finally:
                for buffer, value in zip(d.buffers(), saved, strict=True):
                    buffer.copy_(value)

    def _loss_name(self) -> str:
        return str(self.gan.cfg.loss.name)

    def log_values(self) -> dict[str, float]:
        """p, and r_t (and r_v) of the last interval when ADA measures them."""
        values = {"p": self.p}
        if self.ada is not None:
            values["rt"] = self.ada.rt
            if self.ada.signal == "rv":
                values["rv"] = self.ada.rv
        return values

    def state_dict(self) -> dict[str, Any]:
        """The augmentation stream and ADA's p, so a resumed run continues exactly."""
        draws = None if self._draws is None else self._draws.get_state()
        return {
            "augmenter": self.augmenter.state_dict(),
            "ada": None if self.ada is None else self.ada.state_dict(),
            "draws": draws,
        }

    def load_state_dict(self, state: Any) -> None:
        """Continue a saved run; a checkpoint without this trick starts it fresh."""
        if not state:
            return
        self.augmenter.load_state_dict(state.get("augmenter") or {})
        if self.ada is not None and state.get("ada"):
            self.ada.load_state_dict(state["ada"])
        if state.get("draws") is not None:
            import torch

            self._draws = torch.Generator()
            self._draws.set_state(state["draws"])
