"""Optimizers by name, one per network, built from plain config values."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import torch

# name -> (class, the config keys that class accepts)
OPTIMIZERS: dict[str, tuple[type[torch.optim.Optimizer], tuple[str, ...]]] = {
    "adam": (torch.optim.Adam, ("lr", "betas", "eps", "weight_decay")),
    "adamw": (torch.optim.AdamW, ("lr", "betas", "eps", "weight_decay")),
    "sgd": (torch.optim.SGD, ("lr", "momentum", "weight_decay", "nesterov")),
    "rmsprop": (torch.optim.RMSprop, ("lr", "alpha", "eps", "momentum", "weight_decay")),
}


def make_optimizer(
    params: Iterable[torch.nn.Parameter], cfg: Mapping[str, Any]
) -> torch.optim.Optimizer:
    """Build one network's optimizer, passing only the keys its class understands."""
    name = cfg["name"]
    if name not in OPTIMIZERS:
        raise ValueError(
            f"optimizer {name!r} is unknown; choose one of: {', '.join(sorted(OPTIMIZERS))}"
        )
    cls, keys = OPTIMIZERS[name]
    kwargs = {k: cfg[k] for k in keys if k in cfg}
    if "betas" in kwargs:
        kwargs["betas"] = tuple(kwargs["betas"])
    if kwargs.get("nesterov") and not kwargs.get("momentum"):
        kwargs["nesterov"] = False  # torch refuses nesterov without momentum; it would be a no-op
    return cls(params, **kwargs)
