"""Pure pieces of generation: noise by seed, latent paths, and batched streaming through G.

Image `i` of seed `s` has its own noise vector, drawn from a generator seeded with `(s, i)`: it is
the same whatever `n` and `batch_size` are. G's dropout, when it stays on at generation, is
seeded once per batch from `(s, batch index)`, so a run is repeatable bit for bit on one machine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import numpy as np
import torch
from torch import Tensor, nn

from dcgan.noise import PRIORS

_DROPOUT_STREAM = 1  # keeps dropout seeds apart from noise seeds


def _rng(*key: int) -> np.random.Generator:
    if min(key) < 0:
        raise ValueError(f"seeds and indices must be >= 0, got {key}")
    return np.random.default_rng(np.random.SeedSequence(list(key)))


def image_noise(
    seed: int,
    indices: Sequence[int],
    latent_dim: int,
    kind: str,
    truncation: float | None = None,
) -> Tensor:
    """Noise vectors [len(indices), latent_dim] from the model's prior, one stream per image;
    `truncation` draws them nearer the prior's centre (see `dcgan.noise.Prior.truncate`)."""
    found = PRIORS.lookup(kind)
    rows = []
    for i in indices:
        rng = _rng(seed, i)
        z = found.numpy(rng, latent_dim)
        rows.append(z if truncation is None else found.truncate(z, truncation, rng))
    return torch.from_numpy(np.stack(rows)) if rows else torch.empty(0, latent_dim)


def batch_seed(seed: int, batch: int) -> int:
    """The torch seed for G's dropout in one batch of one run."""
    return int(_rng(seed, batch, _DROPOUT_STREAM).integers(0, 2**63 - 1))


def lerp(a: Tensor, b: Tensor, t: Tensor) -> Tensor:
    """Straight path: stays inside the box of a uniform prior."""
    t = t.reshape(-1, 1)
    return a * (1 - t) + b * t


def slerp(a: Tensor, b: Tensor, t: Tensor) -> Tensor:
    """Great-circle path: keeps the norm typical of a normal prior, unlike a straight line."""
    t = t.reshape(-1, 1)
    cos = torch.dot(a, b) / (a.norm() * b.norm()).clamp_min(1e-12)
    omega = torch.arccos(cos.clamp(-1, 1))
    if omega.abs() < 1e-6:  # (anti)parallel ends: the circle is undefined; the line is as good
        return lerp(a, b, t)
    so = torch.sin(omega)
    return (torch.sin((1 - t) * omega) / so) * a + (torch.sin(t * omega) / so) * b


def interpolate(a: Tensor, b: Tensor, steps: int, kind: str) -> Tensor:
    """`steps` points from a to b (both included exactly): slerp for normal noise, else lerp."""
    if steps < 2:
        raise ValueError(f"interpolation needs at least 2 steps, got {steps}")
    t = torch.linspace(0, 1, steps, dtype=a.dtype)
    path = (slerp if kind == "normal" else lerp)(a, b, t)
    path[0], path[-1] = a, b
    return path


def walk_noise(
    seed: int,
    pairs: int,
    steps: int,
    latent_dim: int,
    kind: str,
    truncation: float | None = None,
) -> Tensor:
    """[pairs * steps, latent_dim]: walk j goes from image 2j's noise to image 2j+1's of `seed`
    (both truncated with `truncation`)."""
    ends = image_noise(seed, range(2 * pairs), latent_dim, kind, truncation)
    paths = [interpolate(ends[2 * j], ends[2 * j + 1], steps, kind) for j in range(pairs)]
    return torch.cat(paths) if paths else torch.empty(0, latent_dim)


def to_uint8(images: Tensor) -> Tensor:
    """[B, C, H, W] in [-1, 1] -> uint8 [B, H, W, C] on the CPU, ready for an image file."""
    scaled = ((images.detach().float().clamp(-1, 1) + 1) * 127.5).round()
    return scaled.to(torch.uint8).permute(0, 2, 3, 1).cpu().contiguous()


@torch.no_grad()
def forward(generator: nn.Module, z: Tensor, seed: int, y: Tensor | None = None) -> Tensor:
    """G in eval mode (BatchNorm running statistics), its dropout masks drawn from `seed`.

    `y`: the classes [B] of a conditional G.
    """
    was_training = generator.training
    generator.eval()
    devices = [z.device.index or 0] if z.device.type == "cuda" else []
    try:
        with torch.random.fork_rng(devices=devices):  # the caller's RNG stays untouched
            torch.manual_seed(seed)
            return (generator(z) if y is None else generator(z, y.to(z.device))).float()
    finally:
        generator.train(was_training)


def stream(
    generator: nn.Module,
    noise: Callable[[range], Tensor],
    n: int,
    batch_size: int,
    seed: int,
    device: torch.device | str = "cpu",
    labels: Tensor | None = None,
) -> Iterator[tuple[int, Tensor]]:
    """Yield (first index, uint8 images) batch by batch: memory stays at one batch.

    `labels`: the class [n] of each image, for a conditional G.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    for b, start in enumerate(range(0, n, batch_size)):
        z = noise(range(start, min(start + batch_size, n))).to(device)
        y = None if labels is None else labels[start : start + len(z)]
        yield start, to_uint8(forward(generator, z, batch_seed(seed, b), y))
