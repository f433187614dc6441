"""Optimizers by name, one per network, built from plain config values."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from dcgan.checks import check, choose

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


def check_optimizer(key: str, opt: Any) -> None:
    """Every rule on one network's optimizer settings (`key`: optimizer.generator, ...)."""
    choose(f"{key}.name", opt.name, OPTIMIZERS)
    check(opt.lr > 0, f"{key}.lr", opt.lr, "must be > 0")
    check(math.isfinite(opt.lr), f"{key}.lr", opt.lr, "must be a finite number")
    check(
        len(opt.betas) == 2 and all(0 <= b < 1 for b in opt.betas),
        f"{key}.betas",
        list(opt.betas),
        "give two numbers in [0, 1), e.g. [0.5, 0.999]",
    )
    check(opt.momentum >= 0, f"{key}.momentum", opt.momentum, "must be >= 0")
    check(opt.weight_decay >= 0, f"{key}.weight_decay", opt.weight_decay, "must be >= 0")
    check(opt.eps > 0, f"{key}.eps", opt.eps, "must be > 0")
    check(0 <= opt.alpha < 1, f"{key}.alpha", opt.alpha, "must be in [0, 1)")
