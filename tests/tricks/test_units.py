"""The tricks' mechanics alone: noise schedule, replay buffer, EMA formula, D batch policy."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from dcgan.nets import Discriminator, Generator
from dcgan.tricks import (
    ReplayBuffer,
    add_instance_noise,
    discriminate,
    ema_copy,
    ema_update,
    instance_noise_std,
)
from tests.tiny import module_cfg


def test_instance_noise_decays_linearly_to_zero() -> None:
    stds = [instance_noise_std(0.2, 4, it) for it in range(7)]
    assert stds[:3] == pytest.approx([0.2, 0.15, 0.1])
    assert stds[4:] == [0.0, 0.0, 0.0]  # zero at and after decay_steps
    assert instance_noise_std(0.2, 0, 10_000) == 0.2  # no decay
    assert instance_noise_std(0.0, 4, 0) == 0.0


def test_instance_noise_off_returns_the_images() -> None:
    x = torch.rand(4, 1, 8, 8)
    assert add_instance_noise(x, 0.0) is x
    noisy = add_instance_noise(x, 0.5)
    assert noisy.shape == x.shape and (noisy - x).std() == pytest.approx(0.5, rel=0.2)


def _fakes(n: int) -> torch.Tensor:
    """Images that carry G's graph, as real fakes do."""
    g = Generator(module_cfg("latent_dim=4", "image_size=16", "model.ngf=2", "channels=1"))
    return g(torch.randn(n, 4))


def test_replay_never_exceeds_size_and_stores_detached_images() -> None:
    buf = ReplayBuffer(size=5, p=0.5)
    for n in (3, 3, 3, 8, 1):
        fake = _fakes(n)
        assert fake.grad_fn is not None
        out = buf.mix(fake)
        assert len(buf) <= 5 and out.shape == fake.shape
        assert buf.images.grad_fn is None and not buf.images.requires_grad
        assert out.grad_fn is None and not out.requires_grad
    assert len(buf) == 5


def test_replay_p_one_takes_every_fake_from_the_past() -> None:
    buf = ReplayBuffer(size=4, p=1.0)
    first = _fakes(4).detach()
    assert torch.equal(buf.mix(first), first)  # an empty buffer has nothing to give
    out = buf.mix(_fakes(4).detach() + 10)  # new fakes are far from every stored one
    assert all(any(torch.equal(o, f) for f in first) for o in out)


def test_replay_p_zero_and_size_zero_change_nothing() -> None:
    fake = _fakes(3).detach()
    buf = ReplayBuffer(size=4, p=0.0)
    buf.mix(fake)
    assert torch.equal(buf.mix(fake + 1), fake + 1) and len(buf) == 4
    off = ReplayBuffer(size=0, p=1.0)
    assert torch.equal(off.mix(fake), fake) and len(off) == 0


@pytest.mark.parametrize(("size", "p"), [(-1, 0.5), (4, 1.5)])
def test_replay_bad_settings_are_named(size: int, p: float) -> None:
    with pytest.raises(ValueError, match="replay"):
        ReplayBuffer(size, p)


def test_ema_update_follows_the_formula_and_copies_buffers() -> None:
    torch.manual_seed(0)
    g = Generator(module_cfg("latent_dim=4", "image_size=16", "model.ngf=2", "channels=1"))
    ema = ema_copy(g)
    assert all(not p.requires_grad for p in ema.parameters())
    before = [p.clone() for p in ema.parameters()]
    with torch.no_grad():
        for p in g.parameters():
            p.add_(torch.randn_like(p))
    g(torch.randn(3, 4))  # moves BatchNorm's running statistics
    ema_update(ema, g, decay=0.9)
    for e, b, p in zip(ema.parameters(), before, g.parameters(), strict=True):
        torch.testing.assert_close(e, 0.9 * b + 0.1 * p)
        assert not torch.equal(e, p)
    for e, b in zip(ema.buffers(), g.buffers(), strict=True):
        assert torch.equal(e, b)


def test_ema_update_refuses_another_architecture() -> None:
    g = Generator(module_cfg("latent_dim=4", "image_size=16", "model.ngf=2", "channels=1"))
    with pytest.raises(ValueError, match="EMA"):
        ema_update(ema_copy(g), nn.Linear(2, 2), 0.9)


def test_mixed_batch_shares_batchnorm_statistics() -> None:
    torch.manual_seed(0)
    d = Discriminator(module_cfg("image_size=16", "model.ndf=4", "channels=1"))
    real, fake = torch.rand(4, 1, 16, 16), -torch.rand(4, 1, 16, 16)
    sep = discriminate(d, real, fake, "separate")
    mix = discriminate(d, real, fake, "mixed")
    assert sep[0].shape == mix[0].shape == (4,) and sep[1].shape == mix[1].shape == (4,)
    assert not torch.allclose(sep[0], mix[0])  # train-mode BatchNorm: other statistics
    d.eval()  # running statistics: the batch policy no longer matters
    sep, mix = discriminate(d, real, fake, "separate"), discriminate(d, real, fake, "mixed")
    for a, b in zip(sep, mix, strict=True):
        torch.testing.assert_close(a, b)
    with pytest.raises(
        ValueError, match="d_batch.name=foo is not a valid choice; choices: mixed, separate"
    ):
        discriminate(d, real, fake, "foo")


def test_minibatch_std_makes_the_score_depend_on_the_batch() -> None:
    torch.manual_seed(0)
    x, others = torch.rand(4, 1, 16, 16), torch.rand(3, 1, 16, 16) * 2 - 1
    for on in (False, True):
        d = Discriminator(
            module_cfg("image_size=16", "model.ndf=4", "channels=1", f"model.minibatch_std={on}")
        ).eval()
        alone, mixed = d(x)[0], d(torch.cat([x[:1], others]))[0]
        assert torch.allclose(alone, mixed) is not on
