"""Class conditioning of G and D: every registered condition makes the label matter."""

from __future__ import annotations

import pytest
import torch
from torch.nn.utils import parametrize

from dcgan.nets import CONDITIONS, Discriminator, Generator
from tests.tiny import module_cfg

THREE = ("model.conditional=true", "class_names=[a,b,c]")
FIVE = ("model.conditional=true", "class_names=[a,b,c,d,e]")


@pytest.mark.parametrize("condition", sorted(CONDITIONS))
def test_the_label_changes_both_nets(condition: str) -> None:
    torch.manual_seed(0)
    cfg = module_cfg(*THREE, "latent_dim=8", "image_size=16", "channels=1", "model.ngf=4",
                     "model.ndf=4", f"model.condition={condition}")  # fmt: skip
    g, d = Generator(cfg), Discriminator(cfg)
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
    # classes known but conditioning off: the nets take no label
    plain = module_cfg("image_size=16", "model.ngf=4", "model.ndf=4")
    zero = module_cfg("image_size=16", "model.ngf=4", "model.ndf=4", "class_names=[a,b,c]")
    assert Generator(plain).state_dict().keys() == Generator(zero).state_dict().keys()
    assert Discriminator(plain).state_dict().keys() == Discriminator(zero).state_dict().keys()


def test_projection_is_spectral_normed_with_d() -> None:
    tiny = (*FIVE, "image_size=16", "model.ndf=4")
    d = Discriminator(module_cfg(*tiny, "norm.spectral=true", "model.condition=projection"))
    assert parametrize.is_parametrized(d.projection.embed, "weight")
    assert not hasattr(Discriminator(module_cfg(*tiny, "model.condition=concat")), "projection")


def test_default_condition_is_concat_the_measured_better_one(make_cfg) -> None:
    cfg = make_cfg("model.conditional=true")
    assert cfg.model.condition == "concat"
    tiny = module_cfg(*THREE, "image_size=16", "model.ngf=4", "model.ndf=4")
    g, d = Generator(tiny), Discriminator(tiny)
    assert g.condition.g_concat and not hasattr(d, "projection")
