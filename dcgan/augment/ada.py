"""Adaptive augmentation probability (ADA): p follows D's overfitting signal r_t."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import torch
from torch import Tensor


class AdaptiveP:
    """p moves every `interval` iterations by sign(r_t - target) x images / (speed_kimg x 1000).

    r_t = E[sign(D(real) - center)] over the interval: near 1 when D is sure of every real image
    (it has memorised them), near 0 when it cannot tell. The step is counted in images, so p
    moves at the same pace per image seen whatever the batch size; p stays in [0, 1] (beyond 1
    augmented colours leak into G's samples).
    """

    def __init__(
        self, p: float = 0.0, target: float = 0.6, speed_kimg: float = 100.0, interval: int = 4
    ) -> None:
        if not 0 <= p <= 1:
            raise ValueError(f"augment.p={p!r} is invalid: must be in [0, 1]")
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
        self.rt = 0.0  # the last interval's r_t, for the logs
        self._signs: Tensor | None = None  # [sum of signs, count] on D's device: no sync per step

    def observe(self, real_logits: Tensor, center: float = 0.0) -> None:
        """Accumulate the signs of D's scores on real images (no host sync)."""
        scores = real_logits.detach().float().flatten()
        signs = torch.sign(scores - center)
        count = torch.full((), float(signs.numel()), device=signs.device)
        step = torch.stack([signs.sum(), count])
        self._signs = step if self._signs is None else self._signs.to(step.device) + step

    def update(self, iteration: int, reduce: Callable[[Tensor], Tensor] | None = None) -> bool:
        """At the end of every `interval`-th iteration: new r_t and p. True when they moved.

        `reduce` sums the [signs, count] pair over processes, so every rank gets the same p.
        """
        if iteration % self.interval != 0 or self._signs is None:
            return False
        totals = self._signs if reduce is None else reduce(self._signs)
        self._signs = None
        total, count = (float(v) for v in totals.cpu())
        if count <= 0:
            return False
        self.rt = total / count
        direction = (self.rt > self.target) - (self.rt < self.target)
        self.p = min(1.0, max(0.0, self.p + direction * count / (self.speed_kimg * 1000)))
        return True

    def state_dict(self) -> dict[str, Any]:
        """p, the last r_t and the signs gathered so far, for the checkpoint."""
        signs = None if self._signs is None else self._signs.detach().cpu()
        return {"p": self.p, "rt": self.rt, "signs": signs}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Continue where the checkpoint stopped."""
        self.p = float(state.get("p", self.p))
        self.rt = float(state.get("rt", self.rt))
        self._signs = state.get("signs")
