"""Class conditioning of G and D: every registered condition makes the label matter."""

from __future__ import annotations

import pytest
import torch
from torch.nn.utils import parametrize

from dcgan.nets import CONDITIONS, Discriminator, Generator


@pytest.mark.parametrize("condition", sorted(CONDITIONS))
def test_the_label_changes_both_nets(condition: str) -> None:
    torch.manual_seed(0)
    g = Generator(
        latent_dim=8, image_size=16, channels=1, ngf=4, num_classes=3, condition=condition
    )
    d = Discriminator(image_size=16, channels=1, ndf=4, num_classes=3, condition=condition)
    for net in (g, d):  # embeddings start neutral (scale 1, shift 0): perturb them like training
        for name, p in net.named_parameters():
            if "scale" in name or "shift" in name:
                p.data.add_(torch.randn_like(p))
    g.eval()
    z, zeros, twos = torch.rand(4, 8), torch.zeros(4, dtype=torch.long), torch.full((4,), 2)
    a, b = g(z, zeros), g(z, twos)
    assert a.shape == (4, 1, 16, 16) and not torch.allclose(a, b)
    assert d(a, zeros).shape == (4,) and not torch.allclose(d(a, zeros), d(a, twos))
    with pytest.raises(ValueError, match="pass the classes"):
        g(z)


def test_unconditional_nets_are_unchanged() -> None:
    plain, zero = Generator(image_size=16, ngf=4), Generator(image_size=16, ngf=4, num_classes=0)
    assert plain.state_dict().keys() == zero.state_dict().keys()
    assert Discriminator(image_size=16, ndf=4).state_dict().keys() == (
        Discriminator(image_size=16, ndf=4, num_classes=0).state_dict().keys()
    )


def test_projection_is_spectral_normed_with_d() -> None:
    d = Discriminator(image_size=16, ndf=4, spectral=True, num_classes=5, condition="projection")
    assert parametrize.is_parametrized(d.projection.embed, "weight")
    assert not hasattr(
        Discriminator(image_size=16, ndf=4, num_classes=5, condition="concat"), "projection"
    )


def test_default_condition_is_concat_the_measured_better_one(make_cfg) -> None:
    cfg = make_cfg("model.conditional=true")
    assert cfg.model.condition == "concat"
    g = Generator(image_size=16, ngf=4, num_classes=3)
    d = Discriminator(image_size=16, ndf=4, num_classes=3)
    assert g.condition.g_concat and not hasattr(d, "projection")
