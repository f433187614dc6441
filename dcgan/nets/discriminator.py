"""DCGAN discriminator: an image shrunk by repeated 2x downsampling to one logit."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import torch
from torch import Tensor, nn

from dcgan.nets.conditional import Projection, label_channels
from dcgan.nets.config import num_classes
from dcgan.nets.layers import (
    ACTIVATIONS,
    CONDITIONS,
    NORMS,
    POOLINGS,
    check_dropout,
    check_image_size,
    make_layer,
    maybe_spectral,
)

if TYPE_CHECKING:
    from dcgan.nets.config import NetConfig


class MinibatchStd(nn.Module):
    """Appends the within-group feature std as a channel so D can spot low-diversity batches."""

    def __init__(self, group_size: int = 4, eps: float = 1e-8) -> None:
        super().__init__()
        self.group_size = group_size
        self.eps = eps

    def forward(self, x: Tensor) -> Tensor:
        """[B, C, H, W] -> [B, C + 1, H, W]; groups of min(4, B), else the whole batch."""
        b, c, h, w = x.shape
        g = min(self.group_size, b)
        if b % g:
            g = b
        y = x.float().reshape(g, b // g, c, h, w)  # sample i is in group i % (b // g)
        std = (y.var(dim=0, unbiased=False) + self.eps).sqrt().mean(dim=(1, 2, 3))
        std = std.repeat(g).to(x.dtype).view(b, 1, 1, 1).expand(b, 1, h, w)
        return torch.cat([x, std], dim=1)


class Discriminator(nn.Module):
    """Maps images [B, channels, S, S] to real/fake logits [B] (no sigmoid: losses take logits)."""

    def __init__(self, cfg: NetConfig) -> None:
        """D of the module config: `image_size`, `channels`, `model`, the `discriminator` side
        of `activation`, `norm` and `dropout`, `norm.spectral` and `pooling`."""
        super().__init__()
        self.num_classes = num_classes(cfg)  # 0: unconditional
        self.condition = CONDITIONS.lookup(cfg.model.condition) if self.num_classes else None
        extra = self.num_classes if self.condition is not None and self.condition.d_concat else 0
        check_image_size(cfg.image_size)
        dropout = cfg.dropout.p if cfg.dropout.discriminator else 0.0
        check_dropout(dropout)
        n_down = int(math.log2(cfg.image_size)) - 2  # 2x blocks from S down to 4x4
        ndf, widest = cfg.model.ndf, cfg.model.max_width_mult
        self.widths: tuple[int, ...] = tuple(ndf * min(2**k, widest) for k in range(n_down))
        spectral = cfg.norm.spectral

        def block(c_in: int, c_out: int, norm_name: str) -> nn.Sequential:
            bias = norm_name == "none"  # a norm's shift makes a conv bias redundant
            return nn.Sequential(
                make_layer(POOLINGS, cfg.pooling.name, c_in, c_out, bias, spectral),
                make_layer(NORMS, norm_name, c_out),
                make_layer(
                    ACTIVATIONS, cfg.activation.discriminator, cfg.activation.negative_slope
                ),
                nn.Dropout(dropout),
            )

        blocks = [block(cfg.channels + extra, self.widths[0], "none")]  # no norm on the input
        for c_in, c_out in zip(self.widths[:-1], self.widths[1:], strict=True):
            blocks.append(block(c_in, c_out, cfg.norm.discriminator))
        self.blocks = nn.Sequential(*blocks)
        minibatch_std = cfg.model.minibatch_std
        self.minibatch_std = MinibatchStd() if minibatch_std else nn.Identity()
        c_last = self.widths[-1] + int(minibatch_std)
        self.head = maybe_spectral(nn.Conv2d(c_last, 1, 4, 1, 0), spectral)
        if self.condition is not None and self.condition.d_projection:
            self.projection = Projection(self.num_classes, self.widths[-1], spectral)

    def features(self, x: Tensor, y: Tensor | None = None) -> Tensor:
        """The [B, widths[-1], 4, 4] features before the batch statistic and the last conv."""
        if self.condition is not None and self.condition.d_concat:
            x = torch.cat([x, label_channels(y, self.num_classes, x)], dim=1)
        return self.blocks(x)

    def forward(self, x: Tensor, y: Tensor | None = None) -> Tensor:
        """Score images (of classes y [B] when conditional); higher logits mean 'more real'."""
        if self.condition is None:
            return self.head(self.minibatch_std(self.features(x))).flatten()
        if y is None:
            raise ValueError("this discriminator is class-conditional: pass the classes y [B]")
        h = self.features(x, y)
        out = self.head(self.minibatch_std(h)).flatten()
        if self.condition.d_projection:
            out = out + self.projection(h, y).to(out.dtype)
        return out
