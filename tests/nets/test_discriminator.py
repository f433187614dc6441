"""Discriminator shapes, options, spectral norm and minibatch std."""

import pytest
import torch
from torch import nn
from torch.nn.utils import parametrize

from dcgan.nets import ACTIVATIONS, NORMS, POOLINGS, Discriminator, MinibatchStd
from tests.tiny import module_cfg


@pytest.mark.parametrize("size", [16, 32, 64])
def test_output_shape(size: int) -> None:
    d = Discriminator(module_cfg(f"image_size={size}", "model.ndf=4"))
    assert d(torch.randn(4, 3, size, size)).shape == (4,)


def test_paper_widths_and_features() -> None:
    d = Discriminator(module_cfg("image_size=64", "model.ndf=64"))
    assert d.widths == (64, 128, 256, 512)
    norms = [m.num_features for m in d.modules() if isinstance(m, nn.BatchNorm2d)]
    assert norms == [128, 256, 512]  # no norm on the input block
    assert Discriminator(module_cfg("image_size=32", "model.ndf=4")).features(
        torch.randn(2, 3, 32, 32)
    ).shape == (
        2,
        16,
        4,
        4,
    )


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("norm", sorted(NORMS))
def test_activation_norm_compose(activation: str, norm: str) -> None:
    d = Discriminator(
        module_cfg(
            "image_size=16",
            "model.ndf=4",
            f"activation.discriminator={activation}",
            f"norm.discriminator={norm}",
        )
    )
    out = d(torch.randn(4, 3, 16, 16))
    out.sum().backward()
    assert out.shape == (4,) and torch.isfinite(out).all()


@pytest.mark.parametrize("pooling", sorted(POOLINGS))
@pytest.mark.parametrize("spectral", [False, True])
def test_pooling_compose(pooling: str, spectral: bool) -> None:
    d = Discriminator(
        module_cfg(
            "image_size=32",
            "model.ndf=4",
            f"pooling.name={pooling}",
            f"norm.spectral={spectral}",
            "dropout.discriminator=true",
            "dropout.p=0.3",
        )
    )
    assert d(torch.randn(4, 3, 32, 32)).shape == (4,)


def test_bad_options() -> None:
    with pytest.raises(
        ValueError, match="pooling=foo is not a valid choice; choices: avg, max, strided"
    ):
        Discriminator(module_cfg("pooling.name=foo"))
    with pytest.raises(ValueError, match="norm=foo is not a valid choice"):
        Discriminator(module_cfg("image_size=16", "norm.discriminator=foo"))
    with pytest.raises(ValueError, match="image_size=48 is invalid"):
        Discriminator(module_cfg("image_size=48"))


def test_spectral_norm_on_every_conv() -> None:
    torch.manual_seed(0)
    d = Discriminator(
        module_cfg(
            "image_size=32",
            "model.ndf=8",
            "norm.discriminator=none",
            "norm.spectral=true",
            "pooling.name=avg",
        )
    )
    convs = [m for m in d.modules() if isinstance(m, nn.Conv2d)]
    assert len(convs) == 4 and all(parametrize.is_parametrized(c, "weight") for c in convs)
    d.train()
    for _ in range(5):
        d(torch.randn(4, 3, 32, 32))
    for c in convs:
        sigma = torch.linalg.matrix_norm(c.weight.detach().flatten(1), ord=2)
        assert sigma.item() == pytest.approx(1.0, abs=0.05)
    assert not any(
        parametrize.is_parametrized(m, "weight")
        for m in Discriminator(module_cfg("image_size=16")).modules()
    )


def test_minibatch_std() -> None:
    torch.manual_seed(0)
    layer = MinibatchStd()
    x = torch.randn(6, 5, 4, 4)  # 6 not divisible by 4: one group of the whole batch
    out = layer(x)
    assert out.shape == (6, 6, 4, 4) and torch.equal(out[:, :5], x)
    expected = x.std(dim=0, unbiased=False).mean()
    assert torch.allclose(out[:, 5], expected.expand(6, 4, 4), atol=1e-4)
    x8 = torch.randn(8, 5, 4, 4)  # groups of 4: samples i and i + 2 share a group
    feat = layer(x8)[:, 5, 0, 0]
    group0 = x8[0::2].std(dim=0, unbiased=False).mean()
    assert torch.allclose(feat[0::2], group0.expand(4), atol=1e-4)

    torch.manual_seed(1)
    plain = Discriminator(module_cfg("image_size=16", "model.ndf=4"))
    torch.manual_seed(1)
    with_std = Discriminator(module_cfg("image_size=16", "model.ndf=4", "model.minibatch_std=true"))
    assert with_std.head.in_channels == plain.head.in_channels + 1
    images = torch.randn(4, 3, 16, 16)
    assert not torch.allclose(plain(images), with_std(images))
