"""A run's late score over the last part of its run, and which score the report compares by."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from dcgan.report.runs import ReportError, Run
from dcgan.report.scores import check_choice, choose_score, late_value, pooled_spread, run_scores


def _run(history: list[dict], final: float | None = None) -> Run:
    info = {"status": "finished", "history": history}
    if final is not None:
        info["metrics"] = {"swd": final}
    return Run(Path("0"), ["seed=0"], info)


HISTORY = [{"iteration": it, "swd": v} for it, v in [(100, 50.0), (200, 30.0), (300, 20.0)]]
HISTORY += [{"iteration": 400, "swd": 24.0}, {"iteration": 400, "fid": 9.0}]


def test_late_is_the_mean_of_the_periodic_values_in_the_last_window() -> None:
    run = _run(HISTORY, final=21.0)
    assert late_value(run, "swd", 0.25) == pytest.approx((20.0 + 24.0) / 2)  # it >= 300
    assert late_value(run, "swd", 0.5) == pytest.approx((30.0 + 20.0 + 24.0) / 3)  # it >= 200
    assert late_value(run, "swd", 1.0) == pytest.approx(31.0)
    assert late_value(run, "swd", 0.01) == 24.0  # at least the last value
    assert late_value(run, "fid", 0.25) == 9.0
    assert late_value(run, "kid") is None
    assert run_scores(run, "swd") == {"final": 21.0, "best": 20.0, "late": 22.0}


def test_unknown_score_or_a_window_outside_the_run_is_refused() -> None:
    check_choice("late", 1.0)
    with pytest.raises(ReportError, match="score=median is not a score.*auto, final, best, late"):
        check_choice("median", 0.25)
    for window in (0.0, 1.5, -0.1):
        with pytest.raises(ReportError, match="0 < window <= 1"):
            check_choice("auto", window)


def test_pooled_sd_weights_each_setting_by_its_degrees_of_freedom() -> None:
    # squares within: (1+0+1) + (4+4) = 10 over (2 + 1) degrees of freedom
    spread = pooled_spread([[1.0, 2.0, 3.0], [4.0, 8.0], [100.0]])
    assert spread.df == 3 and spread.sd == pytest.approx(math.sqrt(10 / 3))
    assert spread.mean == pytest.approx(18 / 5)  # settings with one seed left out
    assert spread.relative == pytest.approx(math.sqrt(10 / 3) / 3.6)
    assert pooled_spread([[1.0], [2.0]]).sd is None


def _scores(final: list[float], best: list[float], late: list[float]) -> dict:
    return {k: dict(enumerate(v)) for k, v in (("final", final), ("best", best), ("late", late))}


def test_auto_picks_the_score_with_the_smallest_relative_spread_and_says_why() -> None:
    settings = [
        _scores([100, 120, 110], [80, 81, 82], [90, 94, 92]),
        _scores([130, 100, 115], [70, 72, 71], [95, 99, 97]),
    ]
    choice = choose_score(settings, "auto")
    # best: sd 1 over a mean of ~76 is relatively smaller than late's 2 over ~94.5
    assert choice.score == "best"
    assert choice.spreads["best"].sd == pytest.approx(1.0)
    assert choice.spreads["late"].sd == pytest.approx(2.0)
    assert choice.spreads["final"].sd == pytest.approx(math.sqrt((100 + 225) / 2))
    assert "`best`, whose seed-to-seed sd is the smallest relative to its mean" in choice.why
    assert "final sd 12.7" in choice.why and "late sd 2 " in choice.why
    # relative, not absolute: late's sd 2 at ~1000 beats best's sd 1 at ~10
    settings = [_scores([1000, 1100], [10, 12], [1000, 1002]), _scores([1, 2], [9, 11], [1, 3])]
    assert choose_score(settings, "auto").score == "late"


def test_asked_score_is_kept_and_auto_without_two_seeds_falls_back_to_final() -> None:
    settings = [_scores([1, 2], [1, 1.01], [1, 1.5])]
    assert choose_score(settings, "late").score == "late"
    assert "as asked (score=late" in choose_score(settings, "late").why
    one_seed = [_scores([1], [1], [1]), _scores([2], [2], [2])]
    choice = choose_score(one_seed, "auto")
    assert choice.score == "final" and "no setting has 2 seeds" in choice.why


def test_only_seeds_with_all_three_scores_count_so_the_spreads_share_their_runs() -> None:
    scores = _scores([1.0, 2.0, 50.0], [1.0, 2.0], [1.0, 2.0, 9.0])
    del scores["best"][1]  # seed 1 has no history: its best is missing
    scores["best"][2] = 3.0
    choice = choose_score([scores], "auto")
    assert all(spread.df == 1 for spread in choice.spreads.values())  # seeds 0 and 2
    assert choice.spreads["final"].sd == pytest.approx(49 / math.sqrt(2))
