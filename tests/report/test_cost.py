"""A setting's img/s over its baseline's, paired by seed, and when its spread is the machine's."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from dcgan.report.cost import speed_ratio


def test_paired_ratio_removes_what_a_seed_does_to_both() -> None:
    # seed 1 ran on a busy machine for both settings: per seed the ratio is 0.9 every time
    r = speed_ratio({0: 90.0, 1: 45.0, 2: 99.0}, {0: 100.0, 1: 50.0, 2: 110.0})
    assert r.paired and r.n == 3
    assert r.ratio == pytest.approx(0.9)
    assert (r.low, r.high) == (pytest.approx(0.9), pytest.approx(0.9))
    assert not r.noisy


def test_ratio_interval_is_a_t_interval_of_the_log_ratios() -> None:
    a, b = {0: 80.0, 1: 100.0, 2: 70.0}, {0: 100.0, 1: 100.0, 2: 100.0}
    logs = [math.log(a[s] / b[s]) for s in range(3)]
    ci = stats.ttest_1samp(logs, 0.0).confidence_interval(0.95)
    r = speed_ratio(a, b)
    assert r.ratio == pytest.approx(math.exp(sum(logs) / 3))  # geometric mean
    assert (r.low, r.high) == (pytest.approx(math.exp(ci.low)), pytest.approx(math.exp(ci.high)))
    assert r.noisy  # the interval reaches far beyond +-10% of the ratio


def test_no_shared_seeds_compares_all_runs_and_one_run_each_has_no_interval() -> None:
    r = speed_ratio({0: 50.0, 1: 50.5}, {5: 100.0, 6: 100.5})
    assert not r.paired and r.ratio == pytest.approx(math.sqrt(50 * 50.5 / (100 * 100.5)))
    assert r.low < r.ratio < r.high and not r.noisy
    assert speed_ratio({0: 50.0, 1: 52.0}, {5: 100.0, 6: 101.0}).noisy  # Welch on 2 + 2 seeds
    single = speed_ratio({0: 50.0}, {0: 100.0})
    assert single.ratio == pytest.approx(0.5) and single.low is None and not single.noisy
    assert speed_ratio({}, {0: 100.0}) is None
