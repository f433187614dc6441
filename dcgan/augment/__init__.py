"""Augmentation that D sees on real and fake images alike: fixed (DiffAugment) or adaptive (ADA)."""

from dcgan.augment.ada import SIGNALS, AdaptiveP
from dcgan.augment.hint import SMALL_SET, augments, small_set_hint
from dcgan.augment.ops import POLICIES, STRENGTHS
from dcgan.augment.pipeline import Augmenter

__all__ = [
    "POLICIES",
    "SMALL_SET",
    "SIGNALS",
    "STRENGTHS",
    "AdaptiveP",
    "Augmenter",
    "augments",
    "small_set_hint",
]
