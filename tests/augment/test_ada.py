"""The adaptive probability rises while D overfits, falls when it does not, and stays in [0, 1]."""

from __future__ import annotations

import pytest
import torch

from dcgan.augment import AdaptiveP
from dcgan.augment.ada import r_v
from dcgan.tricks.augment import AugmentConfig


def ada_with(**keys: object) -> AdaptiveP:
    """ADA with the schema's `augment.*` defaults, following r_t unless `signal` says otherwise."""
    schema = AugmentConfig()
    values = {k: getattr(schema, k) for k in ("p", "target", "speed_kimg", "interval")}
    return AdaptiveP(**{**values, "signal": "rt", **keys})


def _run(ada: AdaptiveP, logits: torch.Tensor, iterations: int) -> list[float]:
    ps = []
    for it in range(1, iterations + 1):
        ada.observe(logits)
        ada.update(it)
        ps.append(ada.p)
    return ps


def test_p_rises_when_d_is_sure_of_every_real_image_and_stops_at_one():
    ada = ada_with(p=0.0, target=0.6, speed_kimg=0.1, interval=4)  # 0 -> 1 in 100 images
    ps = _run(ada, torch.full((8,), 3.0), 40)
    assert ada.rt == 1.0
    assert ps[2] == 0.0 and ps[3] == pytest.approx(32 / 100)  # moves at interval ends only
    assert all(b >= a for a, b in zip(ps, ps[1:], strict=False))
    assert ps[-1] == 1.0 and max(ps) <= 1.0


def test_p_falls_back_to_zero_when_d_cannot_tell():
    ada = ada_with(p=0.5, target=0.6, speed_kimg=0.1, interval=2)
    logits = torch.tensor([1.0, -1.0, 2.0, -0.5])  # r_t = 0
    ps = _run(ada, logits, 30)
    assert ada.rt == 0.0 and ps[1] == pytest.approx(0.5 - 8 / 100)
    assert ps[-1] == 0.0 and min(ps) >= 0.0


def test_step_is_counted_in_images_not_iterations():
    small, large = ada_with(speed_kimg=1, interval=1), ada_with(speed_kimg=1, interval=1)
    _run(small, torch.ones(8), 8)
    _run(large, torch.ones(64), 1)
    assert small.p == pytest.approx(large.p) == pytest.approx(0.064)


def test_p_holds_at_the_target_and_center_shifts_the_sign():
    ada = ada_with(p=0.3, target=0.5, speed_kimg=1, interval=1)
    ada.observe(torch.tensor([1.0, 1.0, 1.0, -1.0]))  # r_t = 0.5 = target
    ada.update(1)
    assert ada.p == 0.3
    ada.observe(torch.tensor([0.6, 0.7, 0.4, 0.3]), center=0.5)  # lsgan's boundary: r_t = 0
    ada.update(2)
    assert ada.rt == 0.0 and ada.p < 0.3


def test_state_round_trips_mid_interval():
    a = ada_with(speed_kimg=0.5, interval=4)
    _run(a, torch.ones(8), 6)  # two observations waiting for the next update
    b = ada_with(speed_kimg=0.5, interval=4)
    b.load_state_dict(a.state_dict())
    assert (b.p, b.rt) == (a.p, a.rt)
    for ada in (a, b):
        for it in (7, 8):
            ada.observe(torch.tensor([1.0, -1.0]))
            ada.update(it)
    assert b.p == a.p and b.rt == a.rt


def test_reduce_sees_the_totals_of_the_interval():
    seen = []
    ada = ada_with(interval=2)
    ada.observe(torch.ones(3))
    ada.observe(-torch.ones(1))
    ada.update(2, reduce=lambda t: seen.append(t.clone()) or t * 2)
    assert seen[0].tolist()[:2] == [2.0, 4.0] and ada.rt == 0.5
    ada.observe(torch.ones(2))
    ada.observe_heldout(torch.full((2,), 3.0), torch.full((2,), 1.0), torch.full((2,), -1.0))
    ada.update(4, reduce=lambda t: seen.append(t.clone()) or t * 2)
    assert seen[1].tolist() == [2.0, 2.0, 6.0, 2.0, -2.0, 2.0] and ada.rv == 0.5


def _run_rv(ada: AdaptiveP, train: float, heldout: float, iterations: int) -> list[float]:
    """D sure of every training image (r_t = 1), and fakes at -2; held-out images at `heldout`."""
    ps = []
    for it in range(1, iterations + 1):
        ada.observe(torch.full((8,), train))
        ada.observe_heldout(
            torch.full((8,), train), torch.full((8,), heldout), torch.full((8,), -2.0)
        )
        ada.update(it)
        ps.append(ada.p)
    return ps


def test_rv_keeps_p_at_zero_while_held_out_images_score_like_training_images():
    """The large-set case: D wins (r_t = 1) but has memorised nothing, so nothing is augmented."""
    ada = ada_with(speed_kimg=0.1, interval=1, signal="rv")
    ps = _run_rv(ada, train=2.0, heldout=1.9, iterations=20)
    assert ada.rt == 1.0 and ada.rv == pytest.approx(0.025, abs=1e-6)
    assert max(ps) == 0.0


def test_rv_raises_p_when_held_out_images_score_like_fakes():
    ada = ada_with(speed_kimg=0.1, interval=1, signal="rv")
    ps = _run_rv(ada, train=2.0, heldout=-1.0, iterations=20)
    assert ada.rv == pytest.approx(0.75) and ps[0] == pytest.approx(0.08) and ps[-1] == 1.0


def test_each_signal_has_its_own_default_target():
    assert ada_with(signal="rv").target == 0.5 and ada_with(signal="rt").target == 0.6
    assert ada_with(signal="rv", target=0.3).target == 0.3


def test_r_v_is_zero_while_d_cannot_tell_training_images_from_fakes():
    assert r_v(1.0, 0.0, -1.0) == 0.5 and r_v(1.0, 1.0, 1.0) == 0.0 and r_v(0.0, -1.0, 1.0) == 0.0


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"p": 1.5}, "augment.p=1.5"),
        ({"target": 1.0}, "augment.target=1.0"),
        ({"speed_kimg": 0}, "augment.speed_kimg=0"),
        ({"interval": 0}, "augment.interval=0"),
        ({"signal": "rx"}, "augment.signal=rx is not a valid choice; choices: rt, rv"),
    ],
)
def test_bad_values_are_named(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ada_with(**kwargs)
