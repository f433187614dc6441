"""SWD ranks image sets as it should, on real images, and is deterministic for a seed."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from dcgan.data import load_images
from dcgan.metrics import laplacian_pyramid, pyramid_levels, sliced_wasserstein
from dcgan.metrics.swd import _blur

FASHION = Path("/usr/share/datasets/fashion-mnist")


def _floats(images) -> torch.Tensor:  # noqa: ANN001
    return torch.from_numpy(images).float().div(127.5).sub(1)


def _corruptions(held_out: torch.Tensor) -> dict[str, torch.Tensor]:
    """Sets that must score worse than held-out real images."""
    gen = torch.Generator().manual_seed(0)
    perm = torch.randperm(held_out[0].numel(), generator=gen)
    return {
        "blurred": _blur(_blur(_blur(held_out))),
        "shuffled pixels": held_out.flatten(1)[:, perm].view_as(held_out),
        "one repeated image": held_out[:1].expand_as(held_out).clone(),
    }


def _check_ranking(reference: torch.Tensor, held_out: torch.Tensor) -> None:
    real = sliced_wasserstein(reference, held_out, seed=1)["swd"]
    for name, images in _corruptions(held_out).items():
        worse = sliced_wasserstein(reference, images, seed=1)["swd"]
        assert worse > 3 * real, f"{name}: swd {worse:.1f} is not well above real {real:.1f}"


def test_swd_ranks_digits() -> None:
    images = _floats(load_images("digits", None, 16, 1))
    perm = torch.randperm(len(images), generator=torch.Generator().manual_seed(0))
    _check_ranking(images[perm[:200]], images[perm[200:400]])


@pytest.mark.skipif(not FASHION.is_dir(), reason=f"Fashion-MNIST is not installed at {FASHION}")
def test_swd_ranks_fashion_mnist_train_vs_test() -> None:
    train = _floats(load_images("fashion_mnist", str(FASHION), 32, 1, split="train")[:128])
    test = _floats(load_images("fashion_mnist", str(FASHION), 32, 1, split="test")[:128])
    _check_ranking(train, test)


def test_swd_is_deterministic_and_seeded() -> None:
    gen = torch.Generator().manual_seed(0)
    a, b = torch.rand(8, 3, 32, 32, generator=gen) * 2 - 1, torch.rand(8, 3, 32, 32, generator=gen)
    first = sliced_wasserstein(a, b, seed=3)
    assert first == sliced_wasserstein(a, b, seed=3)
    assert first != sliced_wasserstein(a, b, seed=4)
    assert set(first) == {"swd", "swd_32", "swd_16"}


@pytest.mark.parametrize(
    ("size", "levels"), [(16, [16]), (64, [64, 32, 16]), (256, [256, 128, 64, 32, 16])]
)
def test_pyramid_levels_follow_the_size(size: int, levels: list[int]) -> None:
    assert pyramid_levels(size) == levels
    bands = laplacian_pyramid(torch.zeros(2, 1, size, size))
    assert [b.shape[-1] for b in bands] == levels
    scores = sliced_wasserstein(torch.rand(2, 1, size, size), torch.rand(2, 1, size, size))
    assert set(scores) == {"swd", *(f"swd_{s}" for s in levels)}


def test_bad_shapes_are_named() -> None:
    with pytest.raises(ValueError, match="equal image shape"):
        sliced_wasserstein(torch.zeros(2, 1, 16, 16), torch.zeros(2, 3, 16, 16))
    with pytest.raises(ValueError, match="image size 24 is invalid"):
        sliced_wasserstein(torch.zeros(2, 1, 24, 24), torch.zeros(2, 1, 24, 24))
