"""The nets' own keys (`model.*`, `activation.*`, `init.*`, ...), and what G and D are built from.

The run config composes these nodes (`dcgan.config`); G and D read only the values `NetConfig`
names, so they build from a checkpoint's values, a test's or the run config's alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from dcgan.checks import at_least, key
from dcgan.nets.layers import (
    ACTIVATIONS,
    CONDITIONS,
    DROPOUT,
    FAKE_LABELS,
    INITS,
    NORMS,
    POOLINGS,
    UPSAMPLINGS,
)

if TYPE_CHECKING:
    from torch import Tensor


@dataclass
class ModelConfig:
    ngf: int = key(
        64, "G's base width: channels of its last block (doubling toward z)", rule=at_least(1)
    )
    ndf: int = key(
        64,
        "D's base width: channels of its first block (doubling toward the logit)",
        rule=at_least(1),
    )
    max_width_mult: int = key(
        8, "widest block = 8 x base width, also at 128 and 256 px", rule=at_least(1)
    )
    minibatch_std: bool = key(False, "a minibatch standard-deviation feature before D's last layer")
    conditional: bool = key(False, "true: learn the data's classes and generate the one asked for")
    condition: str = key(
        "concat",
        "concat (one-hot label in) or projection (cBN + projection D)",
        choices=CONDITIONS,
    )
    fake_labels: str = key(
        "data",
        "classes of the fakes in training: data (its frequencies), uniform",
        choices=FAKE_LABELS,
    )


@dataclass
class ActivationConfig:
    generator: str = key("relu", "G's activation (its output is always tanh)", choices=ACTIVATIONS)
    discriminator: str = key("leaky_relu", "D's activation", choices=ACTIVATIONS)
    negative_slope: float = key(0.2, "slope of every leaky_relu", rule=at_least(0))


@dataclass
class InitConfig:
    name: str = key("normal", "weight initialisation of G and D", choices=INITS)


@dataclass
class DropoutConfig:
    p: float = key(0.5, "probability of zeroing an activation where dropout is on", rule=DROPOUT)
    generator: bool = key(False, "dropout in G (the original DCGAN project's trick)")
    discriminator: bool = key(False, "dropout in D")
    at_generation: bool = key(True, "keep G's dropout on in sample grids and generation")


@dataclass
class PoolingConfig:
    name: str = key("strided", "how D halves the image size", choices=POOLINGS)


@dataclass
class NormConfig:
    generator: str = key("batch", "G's normalisation layer", choices=NORMS)
    discriminator: str = key("batch", "D's normalisation layer", choices=NORMS)
    spectral: bool = key(False, "spectral normalisation of D's weights")


@dataclass
class UpsampleConfig:
    name: str = key("transposed", "how G doubles the image size", choices=UPSAMPLINGS)


class NetConfig(Protocol):
    """What G and D are built from: the shapes, and the nets' nodes above."""

    image_size: int
    latent_dim: int
    channels: int
    class_names: list[str]
    model: ModelConfig
    activation: ActivationConfig
    init: InitConfig
    dropout: DropoutConfig
    pooling: PoolingConfig
    norm: NormConfig
    upsample: UpsampleConfig


def num_classes(cfg: NetConfig) -> int:
    """Classes the nets are conditioned on: 0 for an unconditional model."""
    return len(cfg.class_names) if cfg.model.conditional else 0


def fake_class_freq(cfg: Any) -> Tensor | None:
    """How often each class is drawn for the fakes (`model.fake_labels`, the data's
    `class_counts`): one definition for training and for a checkpoint's readers; None when
    unconditional."""
    import torch

    classes = num_classes(cfg)
    if not classes:
        return None
    counts = torch.tensor(cfg.class_counts or [1] * classes, dtype=torch.float)
    if cfg.model.fake_labels == "uniform" or len(counts) != classes:
        counts = torch.ones(classes)
    return counts / counts.sum()
