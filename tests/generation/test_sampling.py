"""Noise by seed, latent paths and batched streaming: pure functions, checked in-process."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from dcgan import sampling
from dcgan.run.load import load_gan


def test_noise_of_an_image_depends_only_on_seed_and_index() -> None:
    all_ten = sampling.image_noise(0, range(10), 8, "uniform")
    assert torch.equal(sampling.image_noise(0, range(4, 7), 8, "uniform"), all_ten[4:7])
    assert not torch.equal(sampling.image_noise(1, range(10), 8, "uniform"), all_ten)
    assert all_ten.min() >= -1 and all_ten.max() <= 1 and all_ten.dtype == torch.float32
    normal = sampling.image_noise(0, range(2000), 8, "normal")
    assert abs(float(normal.mean())) < 0.05 and abs(float(normal.std()) - 1) < 0.05
    assert len(set(map(tuple, all_ten.tolist()))) == 10


def test_bad_noise_and_seed_are_named() -> None:
    with pytest.raises(ValueError, match="noise=cauchy is not a valid choice"):
        sampling.image_noise(0, range(2), 8, "cauchy")
    with pytest.raises(ValueError, match=">= 0"):
        sampling.image_noise(-1, range(2), 8, "normal")


def test_slerp_keeps_the_norm_and_hits_both_ends() -> None:
    a, b = sampling.image_noise(3, range(2), 64, "normal")
    path = sampling.interpolate(a, b, 9, "normal")
    assert path.shape == (9, 64)
    assert torch.equal(path[0], a) and torch.equal(path[-1], b)
    # a straight line between two typical vectors dips toward the origin; the great circle doesn't
    norms, line = path.norm(dim=1), sampling.lerp(a, b, torch.linspace(0, 1, 9)).norm(dim=1)
    assert float(norms.min()) > 0.95 * min(a.norm(), b.norm())
    assert float(line[4]) < float(norms[4])
    assert torch.allclose(sampling.slerp(a, a, torch.tensor([0.5]))[0], a)


def test_lerp_for_uniform_noise_stays_in_the_box() -> None:
    a, b = sampling.image_noise(0, range(2), 16, "uniform")
    path = sampling.interpolate(a, b, 5, "uniform")
    assert torch.allclose(path[2], (a + b) / 2)
    assert path.abs().max() <= 1
    with pytest.raises(ValueError, match="at least 2 steps"):
        sampling.interpolate(a, b, 1, "uniform")


def test_walks_start_and_end_at_the_pure_samples() -> None:
    z = sampling.walk_noise(5, pairs=3, steps=4, latent_dim=8, kind="normal")
    ends = sampling.image_noise(5, range(6), 8, "normal")
    assert z.shape == (12, 8)
    assert torch.equal(z[0::4], ends[0::2]) and torch.equal(z[3::4], ends[1::2])


def test_to_uint8_maps_the_range_ends() -> None:
    x = torch.tensor([-1.0, -2.0, 0.0, 1.0, 3.0]).reshape(1, 1, 1, 5)
    assert sampling.to_uint8(x).flatten().tolist() == [0, 0, 128, 255, 255]
    assert sampling.to_uint8(torch.zeros(2, 3, 4, 5)).shape == (2, 4, 5, 3)


def _images(ckpt: Path, n: int, batch_size: int, seed: int = 0, dropout: bool | None = None):
    gan = load_gan(ckpt)
    if dropout is not None:
        gan.generator.set_dropout_at_generation(dropout)
    hp = gan.cfg
    noise = lambda idx: sampling.image_noise(seed, idx, hp.latent_dim, hp.noise.name)  # noqa: E731
    batches = list(sampling.stream(gan.generator, noise, n, batch_size, seed))
    assert [start for start, _ in batches] == list(range(0, n, batch_size))
    return torch.cat([b for _, b in batches])


def test_streaming_uses_running_statistics_so_batches_do_not_matter(plain_ckpt: Path) -> None:
    one_by_one, together = _images(plain_ckpt, 5, 1), _images(plain_ckpt, 5, 5)
    assert one_by_one.shape == (5, 16, 16, 1)
    assert (one_by_one.int() - together.int()).abs().max() <= 1
    assert one_by_one.float().std() > 0


def test_dropout_on_is_seeded_and_off_is_a_pure_function(dropout_ckpt: Path) -> None:
    on = _images(dropout_ckpt, 6, 3)
    assert torch.equal(on, _images(dropout_ckpt, 6, 3))  # seeded: repeatable
    off = _images(dropout_ckpt, 6, 3, dropout=False)
    assert not torch.equal(on, off)
    assert torch.equal(off, _images(dropout_ckpt, 6, 3, seed=0, dropout=False))
    assert (off.int() - _images(dropout_ckpt, 6, 1, dropout=False).int()).abs().max() <= 1
    assert not torch.equal(on, _images(dropout_ckpt, 6, 1))  # masks are drawn per batch


def test_forward_is_seeded_and_leaves_state_alone(dropout_ckpt: Path) -> None:
    gen = load_gan(dropout_ckpt).generator.train()
    z = sampling.image_noise(0, range(3), 8, "normal")
    before = torch.get_rng_state()
    a, b, c = (sampling.forward(gen, z, s) for s in (1, 1, 2))
    assert torch.equal(a, b) and not torch.equal(a, c)
    assert gen.training and torch.equal(torch.get_rng_state(), before)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_is_repeatable_and_agrees_with_the_cpu(dropout_ckpt: Path) -> None:
    gen = load_gan(dropout_ckpt).generator
    z = sampling.image_noise(0, range(8), 8, "normal")
    gen.set_dropout_at_generation(True)
    on = sampling.forward(gen.cuda(), z.cuda(), 3)
    assert torch.equal(on, sampling.forward(gen, z.cuda(), 3))
    gen.set_dropout_at_generation(False)
    torch.testing.assert_close(
        sampling.forward(gen, z.cuda(), 3).cpu(),
        sampling.forward(gen.cpu(), z, 3),
        atol=1e-4,
        rtol=0,
    )
