"""DCGAN generator: a latent vector grown to an image by repeated 2x upsampling."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from dcgan.nets.conditional import ConditionalNorm, one_hot, run_blocks
from dcgan.nets.config import num_classes
from dcgan.nets.layers import (
    ACTIVATIONS,
    CONDITIONS,
    NORMS,
    UPSAMPLINGS,
    check_dropout,
    check_image_size,
    make_layer,
)

if TYPE_CHECKING:
    from dcgan.nets.config import NetConfig


class GenerationDropout(nn.Dropout):
    """Dropout that may stay on in eval mode: the original project sampled G with dropout."""

    def __init__(self, p: float, active_in_eval: bool) -> None:
        super().__init__(p)
        self.active_in_eval = active_in_eval

    def forward(self, x: Tensor) -> Tensor:
        """Drop in training, and in eval too while active_in_eval is set."""
        if self.p == 0:
            return x
        return F.dropout(x, self.p, training=self.training or self.active_in_eval)

    def extra_repr(self) -> str:
        """Show the eval behaviour in the module printout."""
        return f"{super().extra_repr()}, active_in_eval={self.active_in_eval}"


class Generator(nn.Module):
    """Maps z [B, latent_dim] to images [B, channels, S, S] in [-1, 1] (Radford et al. 2015)."""

    def __init__(self, cfg: NetConfig) -> None:
        """G of the module config: `latent_dim`, `image_size`, `channels`, `model`, the
        `generator` side of `activation`, `norm` and `dropout`, and `upsample`."""
        super().__init__()
        self.num_classes = num_classes(cfg)  # 0: unconditional
        self.condition = CONDITIONS.lookup(cfg.model.condition) if self.num_classes else None
        cond_norm = self.condition is not None and self.condition.g_norm
        concat = self.condition is not None and self.condition.g_concat
        check_image_size(cfg.image_size)
        dropout = cfg.dropout.p if cfg.dropout.generator else 0.0
        check_dropout(dropout)
        self.latent_dim = cfg.latent_dim
        self.image_size = cfg.image_size
        n_up = int(math.log2(cfg.image_size)) - 3  # hidden 2x blocks between 4x4 and S/2
        # widths of the hidden blocks at 4, 8, ..., S/2 px; the last one has `ngf` channels
        ngf, widest = cfg.model.ngf, cfg.model.max_width_mult
        self.widths: tuple[int, ...] = tuple(ngf * min(2**k, widest) for k in range(n_up, -1, -1))
        norm, upsample = cfg.norm.generator, cfg.upsample.name
        bias = norm == "none"  # a norm's shift makes a conv bias redundant

        def finish(c: int) -> list[nn.Module]:
            return [
                ConditionalNorm(norm, c, self.num_classes)
                if cond_norm
                else make_layer(NORMS, norm, c),
                make_layer(ACTIVATIONS, cfg.activation.generator, cfg.activation.negative_slope),
                GenerationDropout(dropout, cfg.dropout.at_generation),
            ]

        z_channels = cfg.latent_dim + (self.num_classes if concat else 0)
        project = nn.ConvTranspose2d(z_channels, self.widths[0], 4, 1, 0, bias=bias)
        blocks = [nn.Sequential(project, *finish(self.widths[0]))]
        for c_in, c_out in zip(self.widths[:-1], self.widths[1:], strict=True):
            blocks.append(
                nn.Sequential(make_layer(UPSAMPLINGS, upsample, c_in, c_out, bias), *finish(c_out))
            )
        self.blocks = nn.Sequential(*blocks)
        self.to_image = nn.Sequential(
            make_layer(UPSAMPLINGS, upsample, self.widths[-1], cfg.channels, True), nn.Tanh()
        )

    def forward(self, z: Tensor, y: Tensor | None = None) -> Tensor:
        """Generate images; z may be [B, latent_dim] or [B, latent_dim, 1, 1]; y: classes [B]."""
        x = z.reshape(z.shape[0], self.latent_dim, 1, 1)
        if self.condition is None:
            return self.to_image(self.blocks(x))
        if y is None:
            raise ValueError("this generator is class-conditional: pass the classes y [B]")
        if self.condition.g_concat:
            x = torch.cat([x, one_hot(y, self.num_classes, x)[:, :, None, None]], dim=1)
        return self.to_image(run_blocks(self.blocks, x, y))

    @property
    def has_dropout(self) -> bool:
        """Whether any hidden block drops activations (p > 0)."""
        return any(m.p > 0 for m in self.modules() if isinstance(m, GenerationDropout))

    def set_dropout_at_generation(self, active: bool) -> None:
        """Choose whether dropout stays on in eval mode, i.e. when sampling images."""
        for m in self.modules():
            if isinstance(m, GenerationDropout):
                m.active_in_eval = active
