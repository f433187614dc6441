"""The memory format chosen by `dcgan.precision`, applied to the module before training."""

from __future__ import annotations

import lightning as L
import torch


class ChannelsLast(L.Callback):
    """Put the module's 4-D weights in channels_last before Lightning moves it to the device."""

    def setup(self, trainer: L.Trainer, pl_module: L.LightningModule, stage: str) -> None:
        """Convert once; convolutions then keep activations in channels_last as well."""
        pl_module.to(memory_format=torch.channels_last)
