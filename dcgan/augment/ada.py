"""Adaptive augmentation probability (ADA): p follows an overfitting signal of D, r_v or r_t.

r_t = E[sign(D(real))] (Karras et al. 2020's default) is near 1 when D is sure of every real
image. A DCGAN's D is that sure from its first iterations on any set, memorised or not (it beats
a young G), so r_t cannot tell overfitting from winning and p climbs on 60,000 images as on 100.
r_v = (E[D(train)] - E[D(held out)]) / (E[D(train)] - E[D(fake)]), the paper's other signal,
compares D on training images with images it never trained on: near 0 until D memorises, then
towards 1 as held-out images score like fakes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from dcgan.checks import Registry

if TYPE_CHECKING:  # the config reads SIGNALS: it loads no torch
    from torch import Tensor

# What p follows: `rv` (held-out images, the default of augment=ada) or `rt` (signs on reals),
# each with its default target: r_v 0.5 (held-out images score halfway to fakes), r_t 0.6 (ADA).
SIGNALS = Registry("what ADA's probability follows", key="augment.signal", rv=0.5, rt=0.6)


class AdaptiveP:
    """p moves every `interval` iterations by sign(signal - target) x images / (speed_kimg x 1000).

    r_t = E[sign(D(real) - center)] over the interval: near 1 when D is sure of every real image
    (it has memorised them), near 0 when it cannot tell. The step is counted in images, so p
    moves at the same pace per image seen whatever the batch size; p stays in [0, 1] (beyond 1
    augmented colours leak into G's samples).
    """

    def __init__(  # every default is the schema's (`augment.*`, dcgan/tricks/augment.py)
        self, p: float, target: float | None, speed_kimg: float, interval: int, signal: str
    ) -> None:
        if not 0 <= p <= 1:
            raise ValueError(f"augment.p={p!r} is invalid: must be in [0, 1]")
        default_target = SIGNALS.lookup(signal)
        target = default_target if target is None else target
        if not 0 < target < 1:
            raise ValueError(f"augment.target={target!r} is invalid: must be in (0, 1)")
        if not speed_kimg > 0:
            raise ValueError(f"augment.speed_kimg={speed_kimg!r} is invalid: must be > 0")
        if interval < 1:
            raise ValueError(f"augment.interval={interval!r} is invalid: must be >= 1")
        self.p = float(p)
        self.target = target
        self.speed_kimg = speed_kimg
        self.interval = interval
        self.signal = signal
        self.rt = 0.0  # the last interval's r_t, for the logs
        self.rv = 0.0  # the last interval's r_v (signal rv)
        self._signs: Tensor | None = None  # [sum of signs, count] on D's device: no sync per step
        self._heldout: Tensor | None = None  # [sum D(train), sum D(held out), sum D(fake), count]

    def observe(self, real_logits: Tensor, center: float = 0.0) -> None:
        """Accumulate the signs of D's scores on real images (no host sync)."""
        import torch

        scores = real_logits.detach().float().flatten()
        signs = torch.sign(scores - center)
        count = torch.full((), float(signs.numel()), device=signs.device)
        step = torch.stack([signs.sum(), count])
        self._signs = step if self._signs is None else self._signs.to(step.device) + step

    def observe_heldout(self, train: Tensor, heldout: Tensor, fake: Tensor) -> None:
        """Accumulate D's scores on as many training, held-out and fake images (r_v)."""
        import torch

        sums = [x.detach().float().flatten().sum() for x in (train, heldout, fake)]
        count = torch.full((), float(heldout.numel()), device=sums[0].device)
        step = torch.stack([*sums, count])
        self._heldout = step if self._heldout is None else self._heldout.to(step.device) + step

    def due(self, iteration: int) -> bool:
        """Whether the iteration that ends now updates p."""
        return iteration % self.interval == 0

    def update(self, iteration: int, reduce: Callable[[Tensor], Tensor] | None = None) -> bool:
        """At the end of every `interval`-th iteration: new r_t (r_v) and p. True when they moved.

        `reduce` sums the gathered totals over processes, so every rank gets the same p.
        """
        if not self.due(iteration) or self._signs is None:
            return False
        import torch

        heldout = self._heldout if self._heldout is not None else torch.zeros(4)
        totals = torch.cat([self._signs, heldout.to(self._signs.device)])
        totals = totals if reduce is None else reduce(totals)
        self._signs = self._heldout = None
        total, count, train, held, fake, held_count = (float(v) for v in totals.cpu())
        if count <= 0:
            return False
        self.rt = total / count
        if held_count > 0:
            self.rv = r_v(train / held_count, held / held_count, fake / held_count)
        signal = self.rv if self.signal == "rv" else self.rt
        direction = (signal > self.target) - (signal < self.target)
        self.p = min(1.0, max(0.0, self.p + direction * count / (self.speed_kimg * 1000)))
        return True

    def state_dict(self) -> dict[str, Any]:
        """p, the last r_t and the signs gathered so far, for the checkpoint."""
        signs = None if self._signs is None else self._signs.detach().cpu()
        heldout = None if self._heldout is None else self._heldout.detach().cpu()
        return {"p": self.p, "rt": self.rt, "rv": self.rv, "signs": signs, "heldout": heldout}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Continue where the checkpoint stopped."""
        self.p = float(state.get("p", self.p))
        self.rt = float(state.get("rt", self.rt))
        self.rv = float(state.get("rv", self.rv))
        self._signs = state.get("signs")
        self._heldout = state.get("heldout")


def r_v(train: float, heldout: float, fake: float) -> float:
    """(D(train) - D(held out)) / (D(train) - D(fake)) of mean scores; 0 while D cannot tell
    training images from fakes (then it has memorised nothing)."""
    gap = train - fake
    return (train - heldout) / gap if gap > 1e-6 else 0.0
