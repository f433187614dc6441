"""GAN losses as pure functions of D's logits, with label smoothing and flipping built in."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from dcgan.nets.layers import check_choice

LOSSES: tuple[str, ...] = ("nonsaturating", "minimax", "lsgan", "hinge", "wgan")
_BCE = ("nonsaturating", "minimax")
_MARGIN = ("hinge", "wgan")

Target = float | Tensor


def _as_target(value: Target, like: Tensor) -> Tensor:
    """Broadcast a scalar or per-sample [B] target to the logits' shape, in float32."""
    return torch.broadcast_to(
        torch.as_tensor(value, dtype=like.dtype, device=like.device), like.shape
    )


def _is(value: Target, expected: float) -> bool:
    """Whether a scalar or per-sample target equals expected everywhere."""
    return bool(torch.all(torch.as_tensor(value) == expected))


def probability(logits: Tensor) -> Tensor:
    """Sigmoid of D's logits for reporting D(x), D(G(z)); for hinge/wgan a squashed score only."""
    return torch.sigmoid(logits.float())


def d_loss(
    name: str,
    real_logits: Tensor,
    fake_logits: Tensor,
    real_target: Target = 1.0,
    fake_target: Target = 0.0,
    flip_mask: Tensor | None = None,
) -> Tensor:
    """Discriminator loss (scalar); flip_mask [B] swaps the real/fake role of those samples."""
    check_choice("loss", name, LOSSES)
    real, fake = real_logits.float().flatten(), fake_logits.float().flatten()
    if name in _MARGIN:
        if not _is(real_target, 1.0):
            raise ValueError(
                f"label smoothing (real_target < 1) is not defined for the {name} loss; "
                "use real_target=1 or a nonsaturating, minimax or lsgan loss"
            )
        if not _is(fake_target, 0.0):
            raise ValueError(
                f"label smoothing (fake_target > 0) is not defined for the {name} loss; "
                "use fake_target=0 or a nonsaturating, minimax or lsgan loss"
            )
        sign = torch.ones_like(real)
        if flip_mask is not None:
            sign = torch.where(flip_mask.to(real.device).flatten(), -sign, sign)
        if name == "hinge":
            return F.relu(1 - sign * real).mean() + F.relu(1 + sign * fake).mean()
        return (sign * fake).mean() - (sign * real).mean()

    real_t, fake_t = _as_target(real_target, real), _as_target(fake_target, fake)
    if flip_mask is not None:
        flip = flip_mask.to(real.device).flatten()
        real_t, fake_t = torch.where(flip, fake_t, real_t), torch.where(flip, real_t, fake_t)
    if name in _BCE:
        return F.binary_cross_entropy_with_logits(
            real, real_t
        ) + F.binary_cross_entropy_with_logits(fake, fake_t)
    return 0.5 * ((real - real_t) ** 2).mean() + 0.5 * ((fake - fake_t) ** 2).mean()


def g_loss(name: str, fake_logits: Tensor) -> Tensor:
    """Generator loss (scalar) given D's logits on generated images."""
    check_choice("loss", name, LOSSES)
    fake = fake_logits.float()
    if name == "nonsaturating":
        return F.softplus(-fake).mean()  # -log D(G(z))
    if name == "minimax":
        return -F.softplus(fake).mean()  # log(1 - D(G(z)))
    if name == "lsgan":
        return 0.5 * ((fake - 1) ** 2).mean()
    return -fake.mean()  # hinge, wgan


def gradient_penalty(discriminator: nn.Module, real: Tensor, fake: Tensor) -> Tensor:
    """WGAN-GP term ((||grad D(x_hat)||_2 - 1)^2).mean(); the caller applies its weight."""
    eps_shape = (real.shape[0],) + (1,) * (real.dim() - 1)
    eps = torch.rand(eps_shape, device=real.device, dtype=real.dtype)
    x_hat = (eps * real.detach() + (1 - eps) * fake.detach()).requires_grad_(True)
    out = discriminator(x_hat)
    (grad,) = torch.autograd.grad(out.float().sum(), x_hat, create_graph=True)
    norm = (grad.float().flatten(1).pow(2).sum(dim=1) + 1e-12).sqrt()
    return ((norm - 1) ** 2).mean()
