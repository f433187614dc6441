"""Networks: the DCGAN generator and discriminator and the layer registries they draw from."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dcgan.nets.config import fake_class_freq, num_classes
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
    make_layer,
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
    "check_dropout",
    "check_image_size",
    "fake_class_freq",
    "init_weights",
    "make_layer",
    "maybe_spectral",
    "num_classes",
    "paired_seed",
]
