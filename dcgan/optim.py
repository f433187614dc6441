"""Optimizers by name, one per network, built from plain config values."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from dcgan.checks import Rule, choose

if TYPE_CHECKING:
    import torch

# name -> (the class in torch.optim, the config keys that class accepts); by name, so that the
# config checks read this without loading torch
OPTIMIZERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "adam": ("Adam", ("lr", "betas", "eps", "weight_decay")),
    "adamw": ("AdamW", ("lr", "betas", "eps", "weight_decay")),
    "sgd": ("SGD", ("lr", "momentum", "weight_decay", "nesterov")),
    "rmsprop": ("RMSprop", ("lr", "alpha", "eps", "momentum", "weight_decay")),
}
BETAS = Rule(
    lambda b: len(b) == 2 and all(0 <= x < 1 for x in b),
    "give two numbers in [0, 1), e.g. [0.5, 0.999]",
)


def make_optimizer(
    params: Iterable[torch.nn.Parameter], cfg: Mapping[str, Any]
) -> torch.optim.Optimizer:
    """Build one network's optimizer, passing only the keys its class understands."""
    import torch

    name = cfg["name"]
    choose("optimizer", name, OPTIMIZERS)
    cls_name, keys = OPTIMIZERS[name]
    cls = getattr(torch.optim, cls_name)
    kwargs = {k: cfg[k] for k in keys if k in cfg}
    if "betas" in kwargs:
        kwargs["betas"] = tuple(kwargs["betas"])
    if kwargs.get("nesterov") and not kwargs.get("momentum"):
        kwargs["nesterov"] = False  # torch refuses nesterov without momentum; it would be a no-op
    return cls(params, **kwargs)
