"""Augmentation ops keep shape, dtype and device, pass gradients, and do what they say."""

from __future__ import annotations

import pytest
import torch

from dcgan.augment import POLICIES, STRENGTHS, Augmenter
from dcgan.augment.ops import FUNCTIONS, cutout, translation

DEVICES = ["cpu", *(["cuda"] if torch.cuda.is_available() else [])]


def _batch(n=6, c=3, size=16, dtype=torch.float32, device="cpu") -> torch.Tensor:
    gen = torch.Generator().manual_seed(1)
    return (torch.rand(n, c, size, size, generator=gen) * 2 - 1).to(device=device, dtype=dtype)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
@pytest.mark.parametrize("channels,size", [(1, 16), (3, 32), (3, 8)])
@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_op_keeps_shape_dtype_device_and_passes_gradients(name, channels, size, dtype, device):
    x = _batch(c=channels, size=size, dtype=dtype, device=device).requires_grad_(True)
    gen = torch.Generator(device=device).manual_seed(0)
    apply = torch.ones(x.shape[0], dtype=torch.bool, device=device)
    out = FUNCTIONS[name](x, apply, STRENGTHS[name], gen)
    assert out.shape == x.shape and out.dtype == dtype and out.device == x.device
    (out.float() * torch.linspace(-1, 1, out.numel(), device=device).view_as(out)).sum().backward()
    assert x.grad is not None and x.grad.shape == x.shape
    assert torch.isfinite(x.grad.float()).all() and x.grad.abs().sum() > 0


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_op_leaves_unselected_samples_bit_identical(name):
    x = _batch()
    gen = torch.Generator().manual_seed(0)
    apply = torch.tensor([True, False, True, False, False, True])
    out = FUNCTIONS[name](x, apply, STRENGTHS[name], gen)
    assert torch.equal(out[~apply], x[~apply])
    if name != "saturation" or x.shape[1] > 1:
        assert not torch.equal(out[apply], x[apply])


def _shifted(x: torch.Tensor, dy: int, dx: int) -> torch.Tensor:
    """x moved down by dy and right by dx, zeros where nothing moved in."""
    out = torch.zeros_like(x)
    h, w = x.shape[-2:]
    out[..., max(dy, 0) : h + min(dy, 0), max(dx, 0) : w + min(dx, 0)] = x[
        ..., max(-dy, 0) : h + min(-dy, 0), max(-dx, 0) : w + min(-dx, 0)
    ]
    return out


def test_translation_is_a_whole_pixel_shift_within_the_strength():
    x = torch.arange(64, dtype=torch.float32).view(1, 1, 8, 8) + 1
    gen = torch.Generator().manual_seed(0)
    seen = set()
    for _ in range(40):
        out = translation(x, torch.tensor([True]), 0.25, gen)
        shifts = [(dy, dx) for dy in range(-2, 3) for dx in range(-2, 3)]
        match = [s for s in shifts if torch.equal(out, _shifted(x, *s))]
        assert len(match) == 1
        seen.add(match[0])
    assert len(seen) > 10  # the shifts vary


def test_cutout_zeroes_one_square_of_the_given_size():
    x = torch.ones(64, 1, 16, 16)
    gen = torch.Generator().manual_seed(0)
    out = cutout(x, torch.ones(64, dtype=torch.bool), 0.5, gen)
    zeros = (out == 0).flatten(1).sum(1)
    assert zeros.max() == 64 and zeros.min() > 0  # an 8x8 square, clipped at the border
    assert set(out.unique().tolist()) == {0.0, 1.0}


def test_single_channel_saturation_is_a_no_op():
    x = _batch(c=1)
    out = FUNCTIONS["saturation"](x, torch.ones(6, dtype=torch.bool), 1.0, torch.Generator())
    assert torch.allclose(out, x)


def test_augmenter_with_p_zero_returns_the_input_and_draws_nothing():
    aug = Augmenter(POLICIES, seed=0)
    x = _batch()
    assert aug(x, 0.0) is x
    assert aug.generator is None  # no stream was started, let alone advanced


def test_augmenter_p_is_a_per_sample_probability():
    aug = Augmenter(["cutout"], seed=0)
    x = torch.ones(2000, 1, 8, 8)
    changed = (aug(x, 0.3) != x).flatten(1).any(1).float().mean()
    assert 0.25 < changed < 0.35
    assert (aug(x, 1.0) != x).flatten(1).any(1).all()


def test_augmenter_state_round_trips_and_continues_the_stream():
    x = _batch()
    a = Augmenter(POLICIES, seed=5)
    a(x, 0.5)
    saved = a.state_dict()
    expected = a(x, 0.5)
    b = Augmenter(POLICIES, seed=99)  # the state wins over the seed
    b.load_state_dict(saved)
    assert torch.equal(b(x, 0.5), expected)
    c = Augmenter(POLICIES, seed=5)
    assert not torch.equal(c(x, 0.5), expected)  # not a fresh stream: the continued one


def test_augmenter_rejects_unknown_names():
    with pytest.raises(
        ValueError,
        match="augment.policy=blur is not a valid choice; choices: color, cutout",
    ):
        Augmenter(["color", "blur"], seed=0)
    with pytest.raises(ValueError, match="augment.cutout=-1"):
        Augmenter(["cutout"], seed=0, strengths={"cutout": -1})


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_augmenter_follows_the_batch_to_the_gpu():
    aug = Augmenter(POLICIES, seed=0)
    x = _batch(device="cuda", dtype=torch.bfloat16).requires_grad_(True)
    out = aug(x, 1.0)
    assert out.device == x.device and aug.generator.device.type == "cuda"
    out.float().sum().backward()
    assert x.grad is not None
