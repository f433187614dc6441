"""GAN objectives as registry entries: each carries its D loss, its G loss and what it supports.

A loss is a `Loss` registered by name; `loss=<name>` picks it (`configs/loss/<name>.yaml`). Its D
part sees per-sample targets (1 real, 0 fake, after smoothing and flipping): losses with
`smoothing=True` regress onto them, margin losses (`smoothing=False`) read them as signs, so
label flipping works with every loss and smoothing only where a target exists. A loss carries
its penalty on D (WGAN-GP's gradient penalty unless it registers another), weighted by
`loss.gp_weight`. A name that is not
registered is an error, never a fall-back to another objective.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dcgan.checks import Registry, at_least, check, key, within

if TYPE_CHECKING:  # the config checks read LOSSES: registering a loss loads no torch
    from torch import Tensor, nn

    Target = float | Tensor
    Critic = Callable[[Tensor], Tensor]


def input_grad_sq_norm(discriminator: nn.Module | Critic, images: Tensor) -> Tensor:
    """||grad_x D(x)||^2 per image [B], in float32 and differentiable: every gradient penalty.

    `images` are detached first; the graph of the gradient is kept (`create_graph`), so that the
    penalty's own backward reaches D's weights. Under autocast D runs in its precision and the
    gradient is summed in float32.
    """
    import torch

    x = images.detach().requires_grad_(True)
    out = discriminator(x)
    (grad,) = torch.autograd.grad(out.float().sum(), x, create_graph=True)
    return grad.float().flatten(1).pow(2).sum(dim=1)


def gradient_penalty(discriminator: nn.Module | Critic, real: Tensor, fake: Tensor) -> Tensor:
    """WGAN-GP term ((||grad D(x_hat)||_2 - 1)^2).mean(); the caller applies its weight."""
    import torch

    eps_shape = (real.shape[0],) + (1,) * (real.dim() - 1)
    eps = torch.rand(eps_shape, device=real.device, dtype=real.dtype)
    x_hat = eps * real.detach() + (1 - eps) * fake.detach()
    norm = (input_grad_sq_norm(discriminator, x_hat) + 1e-12).sqrt()
    return ((norm - 1) ** 2).mean()


@dataclass(frozen=True)
class Loss:
    """One objective: `d(real, fake, real_t, fake_t)` and `g(fake)` on float32 logits [B].

    `penalty(critic, real, fake)`: an extra term of D's loss on its inputs, before its weight
    `loss.gp_weight` (0 by default: off; `loss=wgan_gp` sets 10). WGAN-GP's gradient penalty by
    default, so any objective can be regularised by it; a loss with another penalty registers its
    own, and one with None refuses a weight.
    """

    name: str
    d: Callable[[Tensor, Tensor, Tensor, Tensor], Tensor]
    g: Callable[[Tensor], Tensor]
    smoothing: bool  # targets are regressed onto, so 1 - s is meaningful
    penalty: Callable[[Critic, Tensor, Tensor], Tensor] | None = gradient_penalty


LOSSES: Registry[Loss] = Registry("GAN objectives", key="loss")
register = LOSSES.register  # `register(Loss(...))` makes a loss known to `loss=` and the checks


@dataclass
class LossConfig:
    name: str = key("nonsaturating", "the GAN loss", choices=LOSSES)
    label_smoothing: float = key(
        0.0,
        "one-sided: the real target becomes 1 - label_smoothing",
        rule=within(0, 0.5),
    )
    label_flip: float = key(
        0.0, "probability of swapping real/fake labels for D", rule=within(0, 0.5)
    )
    gp_weight: float = key(0.0, "weight of the gradient penalty (wgan_gp: 10)", rule=at_least(0))


def check_loss(cfg: Any) -> None:
    """The rules of `loss.*` against the chosen loss: smoothing only where targets exist, a
    penalty only where the loss carries one (each key's own range is declared on its field)."""
    smoothing = cfg.label_smoothing
    check(
        smoothing == 0 or LOSSES[cfg.name].smoothing,
        "loss.label_smoothing",
        smoothing,
        f"label smoothing is not defined for loss={cfg.name}; set it to 0",
    )
    check(
        cfg.gp_weight == 0 or LOSSES[cfg.name].penalty is not None,
        "loss.gp_weight",
        cfg.gp_weight,
        f"weights a penalty that loss={cfg.name} does not carry; set it to 0, or use "
        f"{', '.join(n for n, loss in LOSSES.items() if loss.penalty is not None)}",
    )


def _bce(real: Tensor, fake: Tensor, real_t: Tensor, fake_t: Tensor) -> Tensor:
    import torch.nn.functional as F

    bce = F.binary_cross_entropy_with_logits
    return bce(real, real_t) + bce(fake, fake_t)


def _least_squares(real: Tensor, fake: Tensor, real_t: Tensor, fake_t: Tensor) -> Tensor:
    return 0.5 * ((real - real_t) ** 2).mean() + 0.5 * ((fake - fake_t) ** 2).mean()


def _hinge(real: Tensor, fake: Tensor, real_t: Tensor, fake_t: Tensor) -> Tensor:
    import torch.nn.functional as F

    # targets 1/0 as signs: a flipped sample's real and fake terms change sides
    return F.relu(1 - (2 * real_t - 1) * real).mean() + F.relu(1 + (1 - 2 * fake_t) * fake).mean()


def _wasserstein(real: Tensor, fake: Tensor, real_t: Tensor, fake_t: Tensor) -> Tensor:
    return ((1 - 2 * fake_t) * fake).mean() - ((2 * real_t - 1) * real).mean()


def _softplus(x: Tensor) -> Tensor:
    import torch.nn.functional as F

    return F.softplus(x)


register(Loss("nonsaturating", _bce, lambda f: _softplus(-f).mean(), smoothing=True))  # -log D
register(Loss("minimax", _bce, lambda f: -_softplus(f).mean(), smoothing=True))  # log(1 - D)
register(Loss("lsgan", _least_squares, lambda f: 0.5 * ((f - 1) ** 2).mean(), smoothing=True))
register(Loss("hinge", _hinge, lambda f: -f.mean(), smoothing=False))
register(Loss("wgan_gp", _wasserstein, lambda f: -f.mean(), smoothing=False))


def _as_target(value: Target, like: Tensor) -> Tensor:
    """Broadcast a scalar or per-sample [B] target to the logits' shape, in float32."""
    import torch

    return torch.broadcast_to(
        torch.as_tensor(value, dtype=like.dtype, device=like.device), like.shape
    )


def _is(value: Target, expected: float) -> bool:
    import torch

    return bool(torch.all(torch.as_tensor(value) == expected))


def probability(logits: Tensor) -> Tensor:
    """Sigmoid of D's logits for reporting D(x), D(G(z)); for margin losses a squashed score."""
    import torch

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
    import torch

    loss = LOSSES.lookup(name)
    if not loss.smoothing:
        rules = (("real_target < 1", real_target, 1.0), ("fake_target > 0", fake_target, 0.0))
        for which, value, plain in rules:
            if not _is(value, plain):
                raise ValueError(
                    f"label smoothing ({which}) is not defined for the {name} loss; use "
                    f"{which.split()[0]}={plain:g} or a nonsaturating, minimax or lsgan loss"
                )
    real, fake = real_logits.float().flatten(), fake_logits.float().flatten()
    real_t, fake_t = _as_target(real_target, real), _as_target(fake_target, fake)
    if flip_mask is not None:
        flip = flip_mask.to(real.device).flatten()
        real_t, fake_t = torch.where(flip, fake_t, real_t), torch.where(flip, real_t, fake_t)
    return loss.d(real, fake, real_t, fake_t)


def g_loss(name: str, fake_logits: Tensor) -> Tensor:
    """Generator loss (scalar) given D's logits on generated images."""
    return LOSSES.lookup(name).g(fake_logits.float())
