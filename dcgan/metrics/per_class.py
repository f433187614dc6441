"""Scores of each class of a conditional model: its fakes of class c against its real images."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where used: discovering the metrics must not load torch
    import numpy as np
    import torch
    from torch import Tensor

Score = Callable[["Tensor", "Tensor"], dict[str, float]]  # (real, fake) -> {metric: value}


def per_class_scores(
    pl_module: torch.nn.Module,
    images: np.ndarray,
    labels: np.ndarray,
    names: list[str],
    num_samples: int,
    score: Score,
    seed: int = 0,
    batch_size: int = 64,
) -> dict[str, dict[str, float]]:
    """`{metric: {class name: value}}` over up to `num_samples` real images of each class (2 at
    least), as many fakes of that class, scored by `score` (SWD, and FID/KID/IS when on)."""
    import numpy as np
    import torch

    gen = torch.Generator().manual_seed(seed)
    scores: dict[str, dict[str, float]] = {}
    for c, name in enumerate(names):
        where = np.flatnonzero(labels == c)
        if len(where) < 2:
            continue
        pick = torch.randperm(len(where), generator=gen)[:num_samples].sort().values.numpy()
        real = torch.from_numpy(images[where[pick]]).float().div(127.5).sub(1)
        z = pl_module.noise(len(real), gen, device="cpu")
        fake = torch.cat(
            [
                _sample(pl_module, part, torch.full((len(part),), c), seed)
                for part in z.split(batch_size)
            ]
        )
        for metric, value in score(real, fake).items():
            scores.setdefault(metric, {})[name] = value
    return scores


def _sample(pl_module: torch.nn.Module, z: Tensor, y: Tensor, seed: int) -> Tensor:
    return pl_module.sample(z.to(pl_module.device), seed=seed, y=y).cpu()
