"""Paired differences over shared seeds, Welch's p, and the probability of improvement."""

from __future__ import annotations

import pytest
from scipy import stats

from dcgan.report.stats import (
    SAME_RUNS,
    compare,
    paired_difference,
    prob_improvement,
    summarize,
    welch_difference,
)

SETTING = {0: 10.0, 1: 12.5, 2: 11.0, 3: 14.0}
BASE = {0: 11.0, 1: 13.0, 2: 12.5, 3: 14.5, 4: 20.0}  # seed 4 has no partner


def test_paired_interval_and_p_match_scipy_on_the_shared_seeds() -> None:
    d = paired_difference(SETTING, BASE)
    a, b = [10.0, 12.5, 11.0, 14.0], [11.0, 13.0, 12.5, 14.5]
    expected = stats.ttest_rel(a, b)
    ci = expected.confidence_interval(0.95)
    assert d.paired and d.n == d.n_baseline == 4
    assert d.delta == pytest.approx(-0.875)  # (-1 - 0.5 - 1.5 - 0.5) / 4
    assert (d.low, d.high) == (pytest.approx(ci.low), pytest.approx(ci.high))
    assert d.p == pytest.approx(expected.pvalue)
    assert d.verdict == "better" and d.high < 0
    welch = stats.ttest_ind(a, b, equal_var=False).confidence_interval(0.95)
    assert d.welch_half_width == pytest.approx((welch.high - welch.low) / 2)
    assert d.narrowing == pytest.approx((ci.high - ci.low) / (welch.high - welch.low))
    assert d.narrowing < 0.3  # the seeds move both settings alike: pairing removes that
    assert d.prob_improvement == 1.0  # lower on every shared seed


def test_fewer_than_two_shared_seeds_is_no_pairing_and_compare_falls_back_to_welch() -> None:
    a, b = {0: 1.0, 1: 2.0, 2: 3.0}, {2: 4.0, 3: 5.0, 4: 7.0}
    assert paired_difference(a, b) is None
    d = compare(a, b)
    expected = stats.ttest_ind([1.0, 2.0, 3.0], [4.0, 5.0, 7.0], equal_var=False)
    ci = expected.confidence_interval(0.95)
    assert not d.paired and d.narrowing is None
    assert (d.low, d.high) == (pytest.approx(ci.low), pytest.approx(ci.high))
    assert d.p == pytest.approx(expected.pvalue)
    assert compare(SETTING, BASE).paired


def test_welch_difference_fills_p_and_with_values_the_probability() -> None:
    a, b = [1.0, 3.0, 2.0], [2.0, 2.5]
    d = welch_difference(summarize(a), summarize(b))
    assert d.p == pytest.approx(stats.ttest_ind(a, b, equal_var=False).pvalue)
    assert d.prob_improvement is None and not d.paired
    d = welch_difference(summarize(a), summarize(b), values=(a, b))
    # pairs where a is lower: 1<2, 1<2.5, 2<2.5; 2 vs 2 ties (half); 3 loses twice -> 3.5 / 6
    assert d.prob_improvement == pytest.approx(3.5 / 6)
    assert welch_difference(summarize([1.0]), summarize([2.0])).p is None


def test_probability_of_improvement_counts_ties_half_and_follows_the_direction() -> None:
    assert prob_improvement([1.0, 2.0, 3.0], [2.0, 2.0, 2.0], paired=True) == pytest.approx(0.5)
    assert prob_improvement([1.0, 5.0], [2.0, 4.0], paired=True) == 0.5
    assert prob_improvement([1.0, 5.0], [2.0, 4.0], lower_is_better=False, paired=True) == 0.5
    assert prob_improvement([3.0], [1.0, 2.0], lower_is_better=False) == 1.0
    assert prob_improvement([3.0], [1.0, 2.0]) == 0.0
    # Mann-Whitney: U / (n m) of scipy's test, counting ties half
    a, b = [1.0, 2.0, 2.0, 5.0], [2.0, 3.0, 4.0]
    u = stats.mannwhitneyu(b, a).statistic  # pairs where b > a (a is lower), ties half
    assert prob_improvement(a, b) == pytest.approx(u / 12)
    with pytest.raises(ValueError, match="equal lengths"):
        prob_improvement([1.0], [1.0, 2.0], paired=True)


def test_repeatable_runs_give_a_point_interval_and_a_decided_p() -> None:
    d = paired_difference({0: 1.0, 1: 2.0}, {0: 2.0, 1: 3.0})  # every seed 1 lower
    assert (d.delta, d.low, d.high, d.p, d.verdict) == (-1.0, -1.0, -1.0, 0.0, "better")
    d = paired_difference({0: 1.0, 1: 2.0}, {0: 1.0, 1: 2.0})  # equal seed for seed
    assert (d.delta, d.low, d.high, d.p, d.verdict) == (0.0, 0.0, 0.0, None, SAME_RUNS)
    assert d.prob_improvement == 0.5
    d = paired_difference({0: 1.0, 1: 2.0}, {0: 1.0, 1: 3.0})  # mean 0.5 apart, not the same
    assert d.verdict == "not distinguishable with 2 seeds" and d.p is not None
    d = paired_difference({0: 3.0, 1: 4.0}, {0: 1.0, 1: 2.0}, lower_is_better=False)
    assert d.verdict == "better"
