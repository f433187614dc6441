"""GAN training tricks: each stateful trick is one module here, registered by name in `TRICKS`.

Every module of this package is imported, so a new file with a `@register`ed `Trick` is known
to the config, the GAN module, `trick=`, `sweep=ganhacks` and the docs without other edits.
"""

import importlib
import pkgutil

from dcgan.tricks.base import (
    TRICKS,
    DStep,
    Trick,
    config_of,
    data_hints,
    health_remedies,
    holdout_count,
    ordered,
    register,
)
from dcgan.tricks.d_batch import D_BATCHES, discriminate
from dcgan.tricks.ema import ema_copy, ema_update
from dcgan.tricks.instance_noise import add_instance_noise, instance_noise_std
from dcgan.tricks.replay import ReplayBuffer

for _info in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_info.name}")

__all__ = [
    "D_BATCHES",
    "DStep",
    "TRICKS",
    "ReplayBuffer",
    "Trick",
    "add_instance_noise",
    "config_of",
    "data_hints",
    "discriminate",
    "ema_copy",
    "ema_update",
    "health_remedies",
    "holdout_count",
    "instance_noise_std",
    "ordered",
    "register",
]
