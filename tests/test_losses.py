"""GAN losses: signs, smoothing, flipping, gradients and the gradient penalty."""

import pytest
import torch
from torch import nn

from dcgan.losses import LOSSES, d_loss, g_loss, gradient_penalty, probability
from dcgan.nets import Discriminator
from tests.tiny import module_cfg

HIGH, LOW = torch.full((4,), 3.0), torch.full((4,), -3.0)


@pytest.mark.parametrize("name", LOSSES)
def test_backward_finite(name: str) -> None:
    real = torch.randn(4, requires_grad=True)
    fake = torch.randn(4, requires_grad=True)
    (d_loss(name, real, fake) + g_loss(name, fake)).backward()
    assert torch.isfinite(real.grad).all() and torch.isfinite(fake.grad).all()
    assert d_loss(name, real, fake).dim() == 0 and g_loss(name, fake).dim() == 0


@pytest.mark.parametrize("name", LOSSES)
def test_ordering(name: str) -> None:
    assert d_loss(name, HIGH, LOW) < d_loss(name, LOW, HIGH)  # D is good when real high, fake low
    assert g_loss(name, HIGH) < g_loss(name, LOW)  # G is good when D scores fakes high


def test_known_values() -> None:
    zero = torch.zeros(4)
    log2 = torch.log(torch.tensor(2.0))
    assert torch.allclose(d_loss("nonsaturating", zero, zero), 2 * log2)
    assert torch.allclose(g_loss("nonsaturating", zero), log2)
    assert torch.allclose(g_loss("minimax", zero), -log2)
    assert d_loss("lsgan", torch.ones(4), zero).item() == 0
    assert d_loss("hinge", torch.ones(4), -torch.ones(4)).item() == 0
    assert d_loss("wgan_gp", HIGH, LOW).item() == -6
    assert g_loss("hinge", HIGH).item() == -3 and g_loss("lsgan", torch.ones(4)).item() == 0


def test_half_precision_computed_in_float32() -> None:
    real, fake = HIGH.bfloat16(), LOW.bfloat16()
    for name in LOSSES:
        assert d_loss(name, real, fake).dtype == torch.float32
        assert g_loss(name, fake).dtype == torch.float32
    assert probability(real).dtype == torch.float32


@pytest.mark.parametrize("name", ["nonsaturating", "minimax", "lsgan"])
def test_label_smoothing_changes_loss(name: str) -> None:
    assert d_loss(name, HIGH, LOW, real_target=0.9) != d_loss(name, HIGH, LOW)
    per_sample = torch.tensor([0.9, 1.0, 1.0, 1.0])
    base, smooth = d_loss(name, HIGH, LOW), d_loss(name, HIGH, LOW, real_target=0.9)
    expected = base + (smooth - base) / 4  # only one of four samples is smoothed
    assert torch.allclose(d_loss(name, HIGH, LOW, real_target=per_sample), expected, atol=1e-6)


@pytest.mark.parametrize("name", ["nonsaturating", "minimax", "lsgan", "hinge", "wgan_gp"])
def test_flip_all_equals_swap(name: str) -> None:
    real, fake = torch.randn(4), torch.randn(4)
    flipped = d_loss(name, real, fake, flip_mask=torch.ones(4, dtype=torch.bool))
    assert torch.allclose(flipped, d_loss(name, fake, real))
    none = d_loss(name, real, fake, flip_mask=torch.zeros(4, dtype=torch.bool))
    assert torch.allclose(none, d_loss(name, real, fake))


def test_partial_flip_hinge() -> None:
    real, fake = torch.tensor([0.5, 0.5]), torch.tensor([-0.5, -0.5])
    flip = torch.tensor([True, False])
    expected = (1.5 + 0.5) / 2 + (1.5 + 0.5) / 2
    assert d_loss("hinge", real, fake, flip_mask=flip).item() == pytest.approx(expected)


@pytest.mark.parametrize("name", ["hinge", "wgan_gp"])
def test_smoothing_undefined_for_margin_losses(name: str) -> None:
    with pytest.raises(ValueError, match=rf"label smoothing \(real_target < 1\) .* {name} loss"):
        d_loss(name, HIGH, LOW, real_target=0.9)
    with pytest.raises(ValueError, match="fake_target"):
        d_loss(name, HIGH, LOW, fake_target=0.1)


def test_unknown_loss() -> None:
    choices = ", ".join(sorted(LOSSES))
    with pytest.raises(ValueError, match=f"loss=foo is not a valid choice; choices: {choices}"):
        d_loss("foo", HIGH, LOW)
    with pytest.raises(ValueError, match="loss=foo"):
        g_loss("foo", LOW)


def test_probability_is_sigmoid() -> None:
    assert torch.allclose(probability(torch.zeros(3)), torch.full((3,), 0.5))


class _Linear(nn.Module):
    """D(x) = <w, x>: its input gradient is w everywhere."""

    def __init__(self, w: torch.Tensor) -> None:
        super().__init__()
        self.w = nn.Parameter(w)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x * self.w).flatten(1).sum(1)


def test_gradient_penalty() -> None:
    torch.manual_seed(0)
    real, fake = torch.randn(4, 3, 8, 8), torch.randn(4, 3, 8, 8)
    w = torch.randn(3, 8, 8)
    assert gradient_penalty(_Linear(w / w.norm()), real, fake).item() == pytest.approx(0, abs=1e-6)
    steep = _Linear(2 * w / w.norm())
    gp = gradient_penalty(steep, real, fake)
    assert gp.item() == pytest.approx(1.0, abs=1e-5)
    gp.backward()  # create_graph: the penalty trains D's weights
    assert steep.w.grad is not None and torch.isfinite(steep.w.grad).all()


def test_gradient_penalty_on_discriminator() -> None:
    d = Discriminator(module_cfg("image_size=16", "model.ndf=4", "norm.discriminator=none"))
    gp = gradient_penalty(d, torch.randn(4, 3, 16, 16), torch.randn(4, 3, 16, 16))
    gp.backward()
    grads = [p.grad for p in d.parameters() if p.grad is not None]  # head bias has no gradient
    assert gp.item() > 0 and len(grads) >= 3 and all(torch.isfinite(g).all() for g in grads)
