"""Augmentation that D sees on real and fake images alike: fixed (DiffAugment) or adaptive (ADA)."""

from dcgan.augment.ada import SIGNALS, TARGETS, AdaptiveP
from dcgan.augment.hint import SMALL_SET, augments, small_set_hint
from dcgan.augment.ops import OPS, POLICIES, STRENGTHS
from dcgan.augment.pipeline import Augmenter

__all__ = [
    "OPS",
    "POLICIES",
    "SMALL_SET",
    "SIGNALS",
    "STRENGTHS",
    "TARGETS",
    "AdaptiveP",
    "Augmenter",
    "augments",
    "small_set_hint",
]
