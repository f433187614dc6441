"""Means, intervals and differences to a baseline against values worked out by hand and by scipy."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from dcgan.report.runs import ReportError
from dcgan.report.settings import Setting, compare_to_baseline
from dcgan.report.stats import summarize, welch_difference


def test_summary_of_three_seeds() -> None:
    s = summarize([1.0, 2.0, 3.0])
    half = stats.t.ppf(0.975, 2) * 1.0 / math.sqrt(3)  # sd 1, n 3
    assert (s.n, s.mean, s.sd) == (3, 2.0, 1.0)
    assert s.low == pytest.approx(2.0 - half) and s.high == pytest.approx(2.0 + half)
    assert half == pytest.approx(2.484, abs=1e-3)


def test_one_seed_has_a_mean_but_no_spread() -> None:
    s = summarize([5.0])
    assert (s.n, s.mean, s.sd, s.low, s.high) == (1, 5.0, None, None, None)
    assert summarize([]).mean is None


def test_welch_interval_matches_scipy_and_says_better() -> None:
    a, b = [1.0, 2.0, 3.0], [4.0, 5.0, 7.0]
    d = welch_difference(summarize(a), summarize(b))
    expected = stats.ttest_ind(a, b, equal_var=False).confidence_interval(0.95)
    assert d.delta == pytest.approx(-10 / 3)
    assert (d.low, d.high) == (pytest.approx(expected.low), pytest.approx(expected.high))
    assert d.high < 0 and d.verdict == "better"  # lower metric is better
    assert welch_difference(summarize(b), summarize(a)).verdict == "worse"
    assert welch_difference(summarize(a), summarize(b), lower_is_better=False).verdict == "worse"


def test_overlap_is_not_distinguishable_and_names_the_seeds() -> None:
    d = welch_difference(summarize([1.0, 3.0]), summarize([2.0, 2.5]))
    assert d.low < 0 < d.high
    assert d.verdict == "not distinguishable with 2 seeds"
    d = welch_difference(summarize([1.0, 3.0, 2.0]), summarize([2.0, 2.5]))
    assert d.verdict == "not distinguishable with 3 and 2 seeds"


def test_single_seed_gives_a_difference_without_interval() -> None:
    d = welch_difference(summarize([1.0]), summarize([2.0]))
    assert d.delta == -1.0 and d.low is None and d.high is None
    assert d.verdict == "not distinguishable with 1 seed"
    assert welch_difference(summarize([]), summarize([2.0])) is None


def _setting(key: tuple[str, ...], values: list[float]) -> Setting:
    s = summarize(values)
    scores = {"final": dict(enumerate(values))}  # seeds 0, 1, ...
    return Setting(key=key, label=" ".join(key), runs=[], final=s, best=s, scores=scores)


def test_each_setting_meets_the_baseline_with_its_other_overrides() -> None:
    """Augmentations compared within each data size, never across them."""
    grid = {
        (limit, aug): _setting((f"augment={aug}", f"data.limit={limit}"), values)
        for limit, aug, values in [
            (100, "none", [40.0, 41.0, 42.0]),
            (100, "ada", [30.0, 31.0, 32.0]),
            (1000, "none", [20.0, 21.0, 22.0]),
            (1000, "ada", [30.0, 31.0, 32.0]),
            (1000, "diffaugment", [20.0, 23.0]),
        ]
    }
    said = compare_to_baseline(list(grid.values()), "swd", "augment=none")
    assert said == "`augment=none` with the same other overrides"
    assert grid[100, "none"].is_baseline and grid[1000, "none"].is_baseline
    assert grid[100, "ada"].difference.delta == pytest.approx(-10.0)
    assert grid[100, "ada"].difference.verdict == "better"
    assert grid[1000, "ada"].difference.delta == pytest.approx(10.0)
    assert grid[1000, "ada"].difference.verdict == "worse"
    # paired over seeds 0 and 1, the two it shares with its baseline: (0 + 2) / 2
    assert grid[1000, "diffaugment"].difference.delta == pytest.approx(1.0)
    assert grid[1000, "diffaugment"].difference.paired


def test_a_baseline_no_setting_has_is_refused_with_the_values_it_could_be() -> None:
    settings = [_setting(("augment=none",), [1.0]), _setting(("augment=ada",), [2.0])]
    with pytest.raises(ReportError, match="augment=nonee is no setting.*augment=ada, augment=none"):
        compare_to_baseline(settings, "swd", "augment=nonee")
    with pytest.raises(ReportError, match="not one override"):
        compare_to_baseline(settings, "swd", "none")
