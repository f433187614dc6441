"""Optimizers by name, one per network, built from plain config values."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dcgan.checks import Registry, Rule, above, at_least, key, node, within

if TYPE_CHECKING:
    import torch

# name -> (the class in torch.optim, the config keys that class accepts); by name, so that the
# config checks read this without loading torch
OPTIMIZERS: Registry[tuple[str, tuple[str, ...]]] = Registry(
    "optimizers",
    key="optimizer",
    adam=("Adam", ("lr", "betas", "eps", "weight_decay")),
    adamw=("AdamW", ("lr", "betas", "eps", "weight_decay")),
    sgd=("SGD", ("lr", "momentum", "weight_decay", "nesterov")),
    rmsprop=("RMSprop", ("lr", "alpha", "eps", "momentum", "weight_decay")),
)
BETAS = Rule(
    lambda b: len(b) == 2 and all(0 <= x < 1 for x in b),
    "give two numbers in [0, 1), e.g. [0.5, 0.999]",
)


@dataclass
class NetOptimizerConfig:
    name: str = key("adam", "the optimizer of this network", choices=OPTIMIZERS)
    lr: float = key(2e-4, "learning rate", rule=above(0))
    betas: list[float] = key(
        help="adam, adamw: decay rates of the moment estimates",
        rule=BETAS,
        factory=lambda: [0.5, 0.999],
    )
    momentum: float = key(0.0, "sgd, rmsprop: momentum", rule=at_least(0))
    weight_decay: float = key(0.0, "L2 penalty (adamw: decoupled weight decay)", rule=at_least(0))
    eps: float = key(
        1e-8, "adam, adamw, rmsprop: added to the denominator for stability", rule=above(0)
    )
    alpha: float = key(0.99, "rmsprop: smoothing constant", rule=within(0, 1))
    nesterov: bool = key(False, "sgd: Nesterov momentum")


@dataclass
class OptimizerConfig:
    generator: NetOptimizerConfig = node(NetOptimizerConfig)
    discriminator: NetOptimizerConfig = node(NetOptimizerConfig)


def make_optimizer(
    params: Iterable[torch.nn.Parameter], cfg: Mapping[str, Any]
) -> torch.optim.Optimizer:
    """Build one network's optimizer, passing only the keys its class understands."""
    import torch

    cls_name, keys = OPTIMIZERS.lookup(cfg["name"])
    cls = getattr(torch.optim, cls_name)
    kwargs = {k: cfg[k] for k in keys if k in cfg}
    if "betas" in kwargs:
        kwargs["betas"] = tuple(kwargs["betas"])
    if kwargs.get("nesterov") and not kwargs.get("momentum"):
        kwargs["nesterov"] = False  # torch refuses nesterov without momentum; it would be a no-op
    return cls(params, **kwargs)
