"""A policy of operations, each applied per sample with probability p, from its own generator."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from dcgan.augment.ops import FUNCTIONS, POLICIES, STRENGTHS

if TYPE_CHECKING:
    import torch
    from torch import Tensor

log = logging.getLogger(__name__)


def _mix_seed(seed: int) -> int:
    """A seed of its own, so augmentation never draws the same numbers as the latent noise."""
    return (seed * 6_364_136_223_846_793_005 + 1_442_695_040_888_963_407) % 2**63


class Augmenter:
    """Augments a batch on its own device; the generator's state goes into the checkpoint.

    The generator is made on the first batch's device (the module may move after construction)
    and seeded from `seed`; a state loaded before then is applied when it is made.
    """

    def __init__(
        self, policy: Sequence[str], seed: int, strengths: Mapping[str, float] | None = None
    ) -> None:
        self.ops = [op for name in policy for op in POLICIES.lookup(name)]
        self.strengths = {**STRENGTHS, **(strengths or {})}
        for key, value in self.strengths.items():
            if key not in STRENGTHS:
                raise ValueError(
                    f"augment strength {key} is unknown; choices: {', '.join(STRENGTHS)}"
                )
            if not value >= 0:
                raise ValueError(f"augment.{key}={value!r} is invalid: must be >= 0")
        self.seed = seed
        self.generator: torch.Generator | None = None
        self._pending: dict[str, Any] | None = None

    def _generator(self, device: torch.device) -> torch.Generator:
        import torch

        if self.generator is not None and self.generator.device == device:
            return self.generator
        state = self.state_dict() if self.generator is not None else self._pending
        self.generator = torch.Generator(device=device)
        self.generator.manual_seed(_mix_seed(self.seed))
        if state is not None:
            self._restore(state)
        self._pending = None
        return self.generator

    def __call__(self, images: Tensor, p: float) -> Tensor:
        """Each operation of the policy on each image with probability p; p <= 0: `images`."""
        if p <= 0 or not self.ops:
            return images
        import torch

        gen = self._generator(images.device)
        out = images
        for name in self.ops:
            if p >= 1:
                apply = torch.ones(images.shape[0], dtype=torch.bool, device=images.device)
            else:
                apply = torch.rand(images.shape[0], device=images.device, generator=gen) < p
            out = FUNCTIONS[name](out, apply, self.strengths[name], gen)
        return out

    def state_dict(self) -> dict[str, Any]:
        """The generator's state and device type, for the checkpoint."""
        if self.generator is None:
            return dict(self._pending) if self._pending is not None else {}
        return {"rng": self.generator.get_state(), "device": self.generator.device.type}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Continue the random stream a checkpoint saved; applied now or on the first batch."""
        if not state:
            return
        if self.generator is None:
            self._pending = dict(state)
        else:
            self._restore(state)

    def _restore(self, state: Mapping[str, Any]) -> None:
        assert self.generator is not None
        if state.get("device") != self.generator.device.type:
            # CPU and CUDA generators keep different states: the stream restarts from the seed
            log.warning(
                "augmentation random state was saved on %s and cannot continue on %s; "
                "it restarts from the run's seed",
                state.get("device"),
                self.generator.device.type,
            )
            return
        self.generator.set_state(state["rng"])
