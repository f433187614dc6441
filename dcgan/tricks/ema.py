"""An exponential moving average of G's weights: smoother samples than the last G step gives."""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from dcgan.checks import check
from dcgan.tricks.base import Trick, register

log = logging.getLogger(__name__)

PREFIX = "generator_ema."  # its weights in the module's state dict


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


@dataclass
class EmaConfig:
    decay: float = 0.0  # 0 = off; e.g. 0.999


@register
class Ema(Trick):
    """The average lives on the GAN as `generator_ema` (saved as `generator_ema.*` weights)."""

    name = "ema"
    Config = EmaConfig

    @classmethod
    def enabled(cls, cfg: EmaConfig) -> bool:
        """On when decay > 0."""
        return cfg.decay > 0

    @classmethod
    def check(cls, cfg: EmaConfig, key: Callable[[str], str]) -> None:
        """decay in [0, 1)."""
        check(0 <= cfg.decay < 1, key("decay"), cfg.decay, "must be in [0, 1) (0 = off)")

    def __init__(self, cfg: EmaConfig, gan: nn.Module) -> None:
        super().__init__(cfg, gan)
        gan.generator_ema = ema_copy(gan.generator)  # a submodule: device moves and saving

    def after_g_step(self) -> None:
        """Average G's new weights in."""
        ema_update(self.gan.generator_ema, self.gan.generator, self.cfg.decay)

    def sampling_generator(self, generator: nn.Module) -> nn.Module:
        """Grids, metrics and generation use the average."""
        return self.gan.generator_ema

    def load_weights(self, state_dict: dict[str, Tensor]) -> None:
        """A checkpoint without the average starts it from its G."""
        if any(k.startswith(PREFIX) for k in state_dict):
            return
        log.info("checkpoint has no EMA weights: the EMA starts from its generator")
        for key in [k for k in state_dict if k.startswith("generator.")]:
            state_dict[PREFIX + key.removeprefix("generator.")] = state_dict[key].clone()
