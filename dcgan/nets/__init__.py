"""Networks: the DCGAN generator and discriminator and the layer registries they draw from."""

from dcgan.nets.discriminator import Discriminator, MinibatchStd
from dcgan.nets.generator import Generator
from dcgan.nets.layers import (
    ACTIVATIONS,
    IMAGE_SIZES,
    INITS,
    NORMS,
    POOLINGS,
    UPSAMPLINGS,
    GenerationDropout,
    check_choice,
    init_weights,
    make_activation,
    make_downsample,
    make_norm,
    make_upsample,
    maybe_spectral,
)

__all__ = [
    "ACTIVATIONS",
    "IMAGE_SIZES",
    "INITS",
    "NORMS",
    "POOLINGS",
    "UPSAMPLINGS",
    "Discriminator",
    "GenerationDropout",
    "Generator",
    "MinibatchStd",
    "check_choice",
    "init_weights",
    "make_activation",
    "make_downsample",
    "make_norm",
    "make_upsample",
    "maybe_spectral",
]
