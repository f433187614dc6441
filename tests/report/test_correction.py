"""Holm's step-down correction: adjusted p-values by hand, and the verdicts they allow."""

from __future__ import annotations

import pytest

from dcgan.report.stats import Difference, apply_correction, holm, paired_difference


def test_holm_adjusts_by_hand_and_keeps_order_and_gaps() -> None:
    # sorted: 0.005 (x4), 0.01 (x3), 0.03 (x2), 0.04 (x1); then the running maximum
    adjusted = holm([0.01, None, 0.04, 0.03, 0.005])
    assert adjusted == pytest.approx([0.03, None, 0.06, 0.06, 0.02])
    assert holm([]) == [] and holm([None]) == [None]
    assert holm([0.3]) == [0.3]  # one test: nothing to correct
    assert holm([0.6, 0.7]) == [1.0, 1.0]  # capped at 1


def _diff(delta: float, p: float | None, lower: bool = True) -> Difference:
    significant = p is not None and p < 0.05
    verdict = "not distinguishable with 3 seeds"
    if significant:
        verdict = "better" if (delta < 0) == lower else "worse"
    return Difference(delta, None, None, verdict, p=p, n=3, n_baseline=3, lower_is_better=lower)


def test_a_raw_win_that_does_not_survive_the_family_is_not_distinguishable() -> None:
    diffs = [_diff(-1.0, 0.001), _diff(2.0, 0.02), _diff(-0.5, 0.04), None, _diff(1.0, None)]
    out = apply_correction(diffs)
    assert [d.adjusted_p if d else "-" for d in out] == pytest.approx(
        [0.003, 0.04, 0.04, "-", None]
    )
    assert [d.verdict if d else "-" for d in out] == [
        "better",
        "worse",  # 2 x 0.02 = 0.04 < 0.05
        "better",  # the largest p is multiplied by 1: 0.04
        "-",
        "not distinguishable with 3 seeds",
    ]
    out = apply_correction([_diff(-1.0, 0.001), _diff(2.0, 0.03), _diff(-0.5, 0.04)])
    assert out[1].adjusted_p == pytest.approx(0.06)
    assert out[1].verdict == out[2].verdict == "not distinguishable with 3 seeds"
    assert out[1].p == 0.03  # the raw p stays


def test_higher_is_better_and_a_looser_alpha() -> None:
    (d,) = apply_correction([_diff(2.0, 0.07, lower=False)], alpha=0.1)
    assert d.verdict == "better" and d.adjusted_p == pytest.approx(0.07)
    (d,) = apply_correction([_diff(2.0, 0.07, lower=False)])
    assert d.verdict == "not distinguishable with 3 seeds"


def test_a_setting_with_the_same_runs_as_its_baseline_is_not_in_the_family() -> None:
    """Equal scores seed for seed have no p: they do not make the other tests stricter."""
    same = paired_difference({0: 1.0, 1: 2.0, 2: 3.0}, {0: 1.0, 1: 2.0, 2: 3.0})
    out = apply_correction([_diff(-1.0, 0.03), same])
    assert out[0].adjusted_p == pytest.approx(0.03) and out[0].verdict == "better"
    assert out[1] == same  # kept as it is: "same runs as the baseline", no adjusted p
