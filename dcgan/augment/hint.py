"""When to suggest augmentation: a small set lets D memorise the real images within a few epochs."""

from __future__ import annotations

from typing import Any

# Below this many images, D memorising the set is the usual failure (lightweight-gan and the
# ADA paper see it at a few thousand images and fewer).
SMALL_SET = 5000


def augments(cfg: Any) -> bool:
    """Whether the `augment.*` values change any image D sees (or may, as ADA's p rises)."""
    return bool(cfg.policy) and (cfg.p > 0 or bool(cfg.adaptive))


def small_set_hint(num_images: int, augmenting: bool) -> str | None:
    """One line for the start of a run on a small set without augmentation; None otherwise."""
    if augmenting or num_images >= SMALL_SET:
        return None
    return (
        f"{num_images} images is a small set: D may memorise it and G stop improving; "
        "augment=ada adapts augmentation to it (off while D does not overfit)"
    )
