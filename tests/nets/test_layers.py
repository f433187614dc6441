"""Registries, dropout and weight init behave as the configs promise."""

import pytest
import torch
from torch import nn

from dcgan.nets import (
    ACTIVATIONS,
    INITS,
    NORMS,
    POOLINGS,
    UPSAMPLINGS,
    Discriminator,
    GenerationDropout,
    Generator,
    init_weights,
    make_layer,
    maybe_spectral,
)
from tests.tiny import module_cfg


@pytest.mark.parametrize(
    ("factory", "option", "registry"),
    [
        (lambda n: make_layer(ACTIVATIONS, n, 0.2), "activation", ACTIVATIONS),
        (lambda n: make_layer(NORMS, n, 4), "norm", NORMS),
        (lambda n: make_layer(POOLINGS, n, 3, 4, True, False), "pooling", POOLINGS),
        (lambda n: make_layer(UPSAMPLINGS, n, 3, 4, True), "upsample", UPSAMPLINGS),
        (lambda n: init_weights(nn.Linear(2, 2), n), "init", INITS),
    ],
)
def test_unknown_name_lists_sorted_choices(factory, option, registry) -> None:
    with pytest.raises(ValueError) as err:
        factory("foo")
    expected = f"{option}=foo is not a valid choice; choices: {', '.join(sorted(registry))}"
    assert str(err.value) == expected


def test_activation_message_example() -> None:
    with pytest.raises(ValueError, match="elu, gelu, leaky_relu, relu, selu, silu, tanh"):
        make_layer(ACTIVATIONS, "foo", 0.2)


def test_leaky_relu_uses_slope() -> None:
    act = make_layer(ACTIVATIONS, "leaky_relu", 0.1)
    assert act(torch.tensor([-1.0])).item() == pytest.approx(-0.1)


@pytest.mark.parametrize("name", sorted(POOLINGS))
def test_downsample_halves(name: str) -> None:
    layer = make_layer(POOLINGS, name, 3, 5, False, True)
    assert layer(torch.randn(2, 3, 8, 8)).shape == (2, 5, 4, 4)
    convs = [m for m in layer.modules() if isinstance(m, nn.Conv2d)]
    assert len(convs) == 1 and hasattr(convs[0], "parametrizations")


@pytest.mark.parametrize("name", sorted(UPSAMPLINGS))
def test_upsample_doubles(name: str) -> None:
    assert make_layer(UPSAMPLINGS, name, 3, 5, True)(torch.randn(2, 3, 4, 4)).shape == (2, 5, 8, 8)


def test_instance_norm_is_affine() -> None:
    norm = make_layer(NORMS, "instance", 4)
    assert isinstance(norm, nn.InstanceNorm2d) and norm.affine
    assert isinstance(make_layer(NORMS, "none", 4), nn.Identity)


def test_generation_dropout_modes() -> None:
    x = torch.ones(1000)
    drop = GenerationDropout(0.5, active_in_eval=True).eval()
    assert drop.active_in_eval and not torch.equal(drop(x), x)
    drop.active_in_eval = False
    assert torch.equal(drop(x), x)
    assert not torch.equal(drop.train()(x), x)
    assert torch.equal(GenerationDropout(0.0, active_in_eval=True).train()(x), x)


def _nets() -> list[nn.Module]:
    return [
        Generator(module_cfg("image_size=16", "model.ngf=8", "latent_dim=16")),
        Discriminator(module_cfg("image_size=16", "model.ndf=8", "norm.discriminator=instance")),
        Discriminator(
            module_cfg(
                "image_size=16", "model.ndf=8", "norm.discriminator=batch", "norm.spectral=true"
            )
        ),
    ]


@pytest.mark.parametrize("scheme", sorted(INITS))
def test_every_init_applies(scheme: str) -> None:
    for net in _nets():
        init_weights(net, scheme)
        x = torch.randn(4, 16) if isinstance(net, Generator) else torch.randn(4, 3, 16, 16)
        assert torch.isfinite(net(x)).all()


def test_normal_init_statistics() -> None:
    torch.manual_seed(0)
    net = Generator(module_cfg("image_size=32", "model.ngf=32", "latent_dim=64"))
    init_weights(net, "normal")
    convs = [m.weight for m in net.modules() if isinstance(m, nn.ConvTranspose2d)]
    weights = torch.cat([w.flatten() for w in convs])
    assert weights.mean().abs() < 2e-3
    assert weights.std().item() == pytest.approx(0.02, rel=0.05)
    bn = torch.cat([m.weight for m in net.modules() if isinstance(m, nn.BatchNorm2d)])
    assert bn.mean().item() == pytest.approx(1.0, abs=0.01)
    assert bn.std().item() == pytest.approx(0.02, rel=0.3)
    assert all((m.bias == 0).all() for m in net.modules() if getattr(m, "bias", None) is not None)


def test_uniform_init_bounds() -> None:
    net = Discriminator(module_cfg("image_size=16", "model.ndf=8"))
    init_weights(net, "uniform")
    for m in net.modules():
        if isinstance(m, nn.Conv2d):
            assert m.weight.abs().max() <= 0.05
        if isinstance(m, nn.BatchNorm2d):
            assert ((m.weight >= 0.95) & (m.weight <= 1.05)).all()


def test_default_init_leaves_weights() -> None:
    net = Discriminator(module_cfg("image_size=16", "model.ndf=8"))
    before = {k: v.clone() for k, v in net.state_dict().items()}
    init_weights(net, "default")
    assert all(torch.equal(before[k], v) for k, v in net.state_dict().items())


def test_init_writes_spectral_original_and_refreshes_sigma() -> None:
    torch.manual_seed(0)
    conv = maybe_spectral(nn.Conv2d(8, 16, 3), True)
    init_weights(conv, "normal")
    original = conv.parametrizations.weight.original
    assert original.std().item() == pytest.approx(0.02, rel=0.15)
    conv.eval()  # no power iteration in eval: u, v must already match the new weight
    sigma = torch.linalg.matrix_norm(conv.weight.flatten(1), ord=2)
    assert sigma.item() == pytest.approx(1.0, abs=0.05)
