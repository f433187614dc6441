"""Generator shapes, widths, options and generation-time dropout."""

import pytest
import torch
from torch import nn

from dcgan.nets import ACTIVATIONS, NORMS, UPSAMPLINGS, GenerationDropout, Generator
from tests.tiny import module_cfg


@pytest.mark.parametrize("size", [16, 32, 64])
def test_output_shape_and_range(size: int) -> None:
    g = Generator(module_cfg("latent_dim=16", f"image_size={size}", "channels=3", "model.ngf=4"))
    out = g(torch.randn(4, 16))
    assert out.shape == (4, 3, size, size)
    assert out.min() >= -1 and out.max() <= 1


def test_accepts_4d_latent() -> None:
    g = Generator(module_cfg("latent_dim=16", "image_size=16", "model.ngf=4")).eval()
    z = torch.randn(4, 16)
    assert torch.equal(g(z), g(z.view(4, 16, 1, 1)))


def test_dcgan_paper_widths_at_64px() -> None:
    g = Generator(module_cfg("image_size=64", "model.ngf=64"))
    assert g.widths == (512, 256, 128, 64)
    norms = [m.num_features for m in g.modules() if isinstance(m, nn.BatchNorm2d)]
    assert norms == [512, 256, 128, 64]
    x = torch.randn(2, 100, 1, 1)
    sizes = []
    for block in g.blocks:
        x = block(x)
        sizes.append(tuple(x.shape[1:]))
    assert sizes == [(512, 4, 4), (256, 8, 8), (128, 16, 16), (64, 32, 32)]


def test_width_cap() -> None:
    assert Generator(
        module_cfg("image_size=64", "model.ngf=8", "model.max_width_mult=2")
    ).widths == (16, 16, 16, 8)


def test_bias_only_without_norm() -> None:
    def biased(g: nn.Module) -> list[bool]:
        return [m.bias is not None for m in g.blocks.modules() if isinstance(m, nn.ConvTranspose2d)]

    assert not any(biased(Generator(module_cfg("image_size=16", "model.ngf=4"))))
    assert all(biased(Generator(module_cfg("image_size=16", "model.ngf=4", "norm.generator=none"))))
    assert Generator(module_cfg("image_size=16", "model.ngf=4")).to_image[0].bias is not None


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("norm", sorted(NORMS))
def test_activation_norm_compose(activation: str, norm: str) -> None:
    g = Generator(
        module_cfg(
            "latent_dim=8",
            "image_size=16",
            "model.ngf=4",
            f"activation.generator={activation}",
            f"norm.generator={norm}",
        )
    )
    out = g(torch.randn(4, 8))
    out.mean().backward()
    assert out.shape == (4, 3, 16, 16) and torch.isfinite(out).all()


@pytest.mark.parametrize("upsample", sorted(UPSAMPLINGS))
def test_upsample_compose(upsample: str) -> None:
    g = Generator(
        module_cfg(
            "latent_dim=8",
            "image_size=32",
            "model.ngf=4",
            f"upsample.name={upsample}",
            "channels=1",
        )
    )
    assert g(torch.randn(4, 8)).shape == (4, 1, 32, 32)


@pytest.mark.parametrize("size", [0, 4, 8, 12, 100, 1000])
def test_bad_image_size(size: int) -> None:
    with pytest.raises(
        ValueError,
        match=rf"image_size={size} is invalid: use a power of two: 16, 32, 64, 128, 256, 512",
    ):
        Generator(module_cfg(f"image_size={size}"))


@pytest.mark.parametrize(
    ("override", "option"),
    [
        ("activation.generator=foo", "activation"),
        ("norm.generator=foo", "norm"),
        ("upsample.name=x", "upsample"),
    ],
)
def test_bad_names(override: str, option: str) -> None:
    with pytest.raises(ValueError, match=f"{option}=.* is not a valid choice; choices: "):
        Generator(module_cfg("image_size=16", override))


def test_bad_dropout() -> None:
    with pytest.raises(ValueError, match="dropout"):
        Generator(module_cfg("image_size=16", "dropout.generator=true", "dropout.p=1.0"))


def test_dropout_at_generation() -> None:
    torch.manual_seed(0)
    g = Generator(
        module_cfg(
            "latent_dim=8",
            "image_size=16",
            "model.ngf=8",
            "dropout.generator=true",
            "dropout.p=0.5",
        )
    )
    assert g.has_dropout and not Generator(module_cfg("image_size=16")).has_dropout
    drops = [m for m in g.modules() if isinstance(m, GenerationDropout)]
    assert len(drops) == 2  # one per hidden block, none after the output
    g(torch.randn(4, 8))  # fill BatchNorm running stats
    g.eval()
    z = torch.randn(4, 8)
    assert not torch.equal(g(z), g(z))

    g.set_dropout_at_generation(False)
    assert not any(m.active_in_eval for m in drops)
    bn = next(m for m in g.modules() if isinstance(m, nn.BatchNorm2d))
    running = bn.running_mean.clone()
    out = g(z)
    assert torch.equal(out, g(z))
    assert torch.equal(bn.running_mean, running)
    assert torch.allclose(out[:1], g(z[:1]), atol=1e-6)  # running stats: batch-independent
