"""An exponential moving average of G's weights: smoother samples than the last G step gives."""

from __future__ import annotations

import copy

import torch
from torch import nn


def ema_copy(model: nn.Module) -> nn.Module:
    """A frozen copy to average into: no gradients, so no optimizer or grad norm ever sees it."""
    ema = copy.deepcopy(model)
    ema.requires_grad_(False)
    return ema


@torch.no_grad()
def ema_update(ema: nn.Module, model: nn.Module, decay: float) -> None:
    """ema = decay * ema + (1 - decay) * model for weights; buffers (BatchNorm stats) copied."""
    ema_params, params = list(ema.parameters()), list(model.parameters())
    if len(ema_params) != len(params):
        raise ValueError(f"EMA copy has {len(ema_params)} weights, the model {len(params)}")
    torch._foreach_lerp_(ema_params, [p.detach() for p in params], 1.0 - decay)
    for ema_buf, buf in zip(ema.buffers(), model.buffers(), strict=True):
        ema_buf.copy_(buf)
