"""Networks: the DCGAN generator and discriminator and the layer registries they draw from."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dcgan.nets.layers import (
    ACTIVATIONS,
    CONDITIONS,
    FAKE_LABELS,
    IMAGE_SIZES,
    INITS,
    NORMS,
    POOLINGS,
    UPSAMPLINGS,
    check_dropout,
    check_image_size,
    init_weights,
    make_activation,
    make_norm,
    make_pooling,
    make_upsample,
    maybe_spectral,
    paired_seed,
)

if TYPE_CHECKING:
    from dcgan.nets.discriminator import Discriminator, MinibatchStd
    from dcgan.nets.generator import GenerationDropout, Generator

# The torch modules, imported on first use: the config checks read the registries above alone.
_LAZY = {
    "Discriminator": "dcgan.nets.discriminator",
    "MinibatchStd": "dcgan.nets.discriminator",
    "GenerationDropout": "dcgan.nets.generator",
    "Generator": "dcgan.nets.generator",
}


def __getattr__(name: str) -> Any:
    """The nets themselves (torch), imported when first asked for."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def build_generator(cfg: Any) -> Generator:
    """G from the module config (`model`, `activation`, `norm`, `dropout`, `upsample`, ...)."""
    from dcgan.nets.generator import Generator

    g = Generator(
        latent_dim=cfg.latent_dim,
        image_size=cfg.image_size,
        channels=cfg.channels,
        ngf=cfg.model.ngf,
        activation=cfg.activation.generator,
        negative_slope=cfg.activation.negative_slope,
        norm=cfg.norm.generator,
        dropout=cfg.dropout.p if cfg.dropout.generator else 0.0,
        upsample=cfg.upsample.name,
        max_width_mult=cfg.model.max_width_mult,
        num_classes=num_classes(cfg),
        condition=cfg.model.condition,
    )
    g.set_dropout_at_generation(cfg.dropout.at_generation)
    return g


def build_discriminator(cfg: Any) -> Discriminator:
    """D from the module config; `norm.spectral` and `model.minibatch_std` are D-only."""
    from dcgan.nets.discriminator import Discriminator

    return Discriminator(
        image_size=cfg.image_size,
        channels=cfg.channels,
        ndf=cfg.model.ndf,
        activation=cfg.activation.discriminator,
        negative_slope=cfg.activation.negative_slope,
        norm=cfg.norm.discriminator,
        spectral=cfg.norm.spectral,
        dropout=cfg.dropout.p if cfg.dropout.discriminator else 0.0,
        pooling=cfg.pooling.name,
        minibatch_std=cfg.model.minibatch_std,
        max_width_mult=cfg.model.max_width_mult,
        num_classes=num_classes(cfg),
        condition=cfg.model.condition,
    )


def num_classes(cfg: Any) -> int:
    """Classes the nets are conditioned on: 0 for an unconditional model."""
    return len(cfg.class_names) if cfg.model.conditional else 0


__all__ = [
    "ACTIVATIONS",
    "CONDITIONS",
    "FAKE_LABELS",
    "IMAGE_SIZES",
    "INITS",
    "NORMS",
    "POOLINGS",
    "UPSAMPLINGS",
    "Discriminator",
    "GenerationDropout",
    "Generator",
    "MinibatchStd",
    "build_discriminator",
    "build_generator",
    "check_dropout",
    "check_image_size",
    "init_weights",
    "make_activation",
    "make_norm",
    "make_pooling",
    "make_upsample",
    "maybe_spectral",
    "num_classes",
    "paired_seed",
]
