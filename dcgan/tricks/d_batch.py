"""How D sees a real and a fake batch: two forward passes (ganhacks 4) or one mixed pass."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from dcgan.checks import Registry, key

if TYPE_CHECKING:
    from torch import Tensor, nn

D_BATCHES = Registry("how D sees real and fake batches", ("separate", "mixed"), key="d_batch.name")


@dataclass
class DBatchConfig:
    name: str = key(
        "separate", "D's batches: reals and fakes apart, or mixed in one", choices=D_BATCHES
    )


def discriminate(
    discriminator: nn.Module,
    real: Tensor,
    fake: Tensor,
    policy: str,
    real_y: Tensor | None = None,
    fake_y: Tensor | None = None,
) -> tuple[Tensor, Tensor]:
    """D's logits on real and fake; the policy decides which images share BatchNorm statistics.

    `separate`: an all-real and an all-fake forward, so each batch is normalised by its own
    statistics. `mixed`: one forward on the concatenation, so both share them. A conditional D
    also gets each batch's classes.
    """
    import torch

    if real_y is not None:
        if policy == "separate":
            return discriminator(real, real_y), discriminator(fake, fake_y)
        if policy == "mixed":
            both = torch.cat([real, fake.to(real.dtype)]), torch.cat([real_y, fake_y])
            logits = discriminator(*both)
            return logits[: real.shape[0]], logits[real.shape[0] :]
    if policy == "separate":
        return discriminator(real), discriminator(fake)
    if policy == "mixed":
        logits = discriminator(torch.cat([real, fake.to(real.dtype)]))
        return logits[: real.shape[0]], logits[real.shape[0] :]
    D_BATCHES.lookup(policy)
    raise AssertionError(policy)  # unreachable: every registered policy is handled above
