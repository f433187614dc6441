"""Class conditioning of G and D: the layers of the `model.condition` choices (`CONDITIONS`).

`projection` (Miyato & Koyama 2018, as in SN-GAN and BigGAN): G's norms take a per-class scale
and shift from an embedding; D adds `<embed(y), sum-pooled h>` to its logit. `concat`: a one-hot
label joins z at G's input and D's input image as constant channels. The registry of choices is
in `layers.py`, with the other switches the config checks read without torch.
"""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor, nn

from dcgan.checks import choose
from dcgan.nets.layers import maybe_spectral

_PLAIN_NORMS = {
    "batch": lambda c: nn.BatchNorm2d(c, affine=False),
    "instance": lambda c: nn.InstanceNorm2d(c, affine=False),
    "none": lambda c: nn.Identity(),
}


class ConditionalNorm(nn.Module):
    """A norm without its own affine, then a per-class scale and shift (from 1 and 0)."""

    def __init__(self, norm: str, channels: int, num_classes: int) -> None:
        super().__init__()
        choose("norm", norm, _PLAIN_NORMS)
        self.norm = _PLAIN_NORMS[norm](channels)
        self.scale = nn.Embedding(num_classes, channels)
        self.shift = nn.Embedding(num_classes, channels)
        nn.init.ones_(self.scale.weight)
        nn.init.zeros_(self.shift.weight)

    def forward(self, x: Tensor, y: Tensor) -> Tensor:
        """Normalise x [B, C, H, W], then scale and shift by the classes y [B].

        y may also be class weights [B, K] (float): a mix of classes, for walks across classes.
        """
        x = self.norm(x)
        if y.is_floating_point():
            w = y.to(self.scale.weight.dtype)
            scale, shift = w @ self.scale.weight, w @ self.shift.weight
        else:
            scale, shift = self.scale(y), self.shift(y)
        return x * scale[:, :, None, None].to(x.dtype) + shift[:, :, None, None].to(x.dtype)


def one_hot(y: Tensor, num_classes: int, like: Tensor) -> Tensor:
    """[B] class indices (or [B, K] class weights) -> [B, K] in `like`'s dtype and device."""
    if y.is_floating_point():
        return y.to(device=like.device, dtype=like.dtype)
    return F.one_hot(y.long(), num_classes).to(device=like.device, dtype=like.dtype)


def label_channels(y: Tensor, num_classes: int, like: Tensor) -> Tensor:
    """The one-hot label as K constant channels the size of the image `like` [B, C, H, W]."""
    b, _, h, w = like.shape
    return one_hot(y, num_classes, like)[:, :, None, None].expand(b, num_classes, h, w)


class Projection(nn.Module):
    """The projection term <embed(y), sum of h over positions>, spectral-normed with D if asked."""

    def __init__(self, num_classes: int, channels: int, spectral: bool) -> None:
        super().__init__()
        embed = nn.Embedding(num_classes, channels)
        # the scale of the DCGAN head it is added to (N(0, 0.02)): neither term drowns the other
        nn.init.normal_(embed.weight, 0.0, 0.02)
        self.embed = maybe_spectral(embed, spectral)

    def forward(self, h: Tensor, y: Tensor) -> Tensor:
        """[B, C, H, W] features and [B] classes -> [B]."""
        pooled = h.sum(dim=(2, 3))
        return (self.embed(y).to(pooled.dtype) * pooled).sum(dim=1)


def run_blocks(blocks: nn.Sequential, x: Tensor, y: Tensor) -> Tensor:
    """Run nested Sequentials, handing the classes to each ConditionalNorm."""
    for block in blocks:
        for layer in block:
            x = layer(x, y) if isinstance(layer, ConditionalNorm) else layer(x)
    return x


__all__ = [
    "ConditionalNorm",
    "Projection",
    "label_channels",
    "one_hot",
    "run_blocks",
]
