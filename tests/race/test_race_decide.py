"""The race's decisions from seed -> score dicts, checked against the report's own statistics."""

from __future__ import annotations

import pytest

from dcgan.race.decide import (
    BETTER,
    CONTINUE,
    DONE,
    DROPPED,
    SAME,
    WORSE,
    best_setting,
    decide,
)
from dcgan.report.stats import apply_correction, compare

BASE = {0: 100.0, 1: 104.0, 2: 98.0, 3: 101.0, 4: 97.0}


def shifted(by: float, wobble: tuple[float, ...] = (0.5, -0.4, 0.3, -0.2, 0.1)) -> dict:
    return {s: v + by + wobble[s] for s, v in BASE.items()}


def by_name(decisions: list) -> dict:
    return {d.setting: d for d in decisions}


def test_clear_settings_are_decided_and_the_baseline_is_done() -> None:
    scores = {"none": BASE, "ema": shifted(-30), "bad": shifted(+40)}
    got = by_name(decide(scores, "none"))
    assert got["ema"].decision == BETTER and got["bad"].decision == WORSE
    assert got["none"].decision == DONE and got["none"].baseline is None
    assert not any(d.is_open for d in got.values())
    assert "Holm p=" in got["ema"].reason and "paired" in got["ema"].reason


def test_verdicts_are_the_reports_corrected_ones() -> None:
    scores = {"none": BASE, "a": shifted(-3), "b": shifted(+40), "c": shifted(1)}
    raw = [compare(scores[n], BASE) for n in ("a", "b", "c")]
    expected = apply_correction(raw)
    got = by_name(decide(scores, "none"))
    for name, diff in zip(("a", "b", "c"), expected, strict=True):
        assert got[name].vs_baseline == diff
        assert got[name].vs_baseline.adjusted_p is not None


def test_an_open_setting_keeps_the_baseline_running() -> None:
    noisy = {0: 95.0, 1: 112.0, 2: 96.0}  # overlaps the baseline: no verdict
    got = by_name(decide({"none": BASE, "x": noisy}, "none"))
    assert got["x"].decision == CONTINUE
    assert got["none"].decision == CONTINUE and "1 open" in got["none"].reason


def test_a_setting_that_cannot_catch_the_best_is_dropped() -> None:
    # "late" is no different from the baseline (alpha is tiny), but far behind "ema"
    scores = {"none": BASE, "ema": shifted(-30), "late": {0: 101.0, 1: 103.0, 2: 99.5}}
    got = by_name(decide(scores, "none", alpha=0.001))
    assert best_setting(scores, lower_is_better=True) == "ema"
    assert got["late"].vs_baseline.verdict.startswith("not distinguishable")
    assert got["late"].decision == DROPPED and "cannot catch the best, ema" in got["late"].reason
    assert got["late"].vs_best.verdict == "worse"


def test_a_setting_that_trains_the_same_runs_as_its_baseline_is_closed_at_once() -> None:
    """`trick=ema` under a default that already averages: equal scores seed for seed."""
    scores = {"none": BASE, "ema": dict(BASE), "x": {0: 95.0, 1: 112.0, 2: 96.0}}
    got = by_name(decide(scores, "none"))
    assert got["ema"].decision == SAME and not got["ema"].is_open
    assert "equal none's on seeds 0, 1, 2, 3, 4" in got["ema"].reason
    assert got["none"].decision == CONTINUE and "1 open" in got["none"].reason  # x is open
    one_seed = by_name(decide({"none": BASE, "y": {0: BASE[0]}}, "none"))
    assert one_seed["y"].decision == CONTINUE  # one equal score is no evidence


def test_higher_is_better_turns_the_verdicts() -> None:
    scores = {"none": BASE, "up": shifted(+30)}
    got = by_name(decide(scores, "none", lower_is_better=False))
    assert got["up"].decision == BETTER
    assert best_setting(scores, lower_is_better=False) == "up"


def test_a_setting_without_scores_is_dropped() -> None:
    got = by_name(decide({"none": BASE, "broke": {}}, "none"))
    assert got["broke"].decision == DROPPED and "no run" in got["broke"].reason
    assert got["none"].decision == DONE


def test_settled_decisions_stay() -> None:
    noisy = {0: 95.0, 1: 112.0, 2: 96.0}
    got = by_name(decide({"none": BASE, "x": noisy}, "none", settled={"x": (WORSE, "round 2")}))
    assert got["x"].decision == WORSE and got["x"].reason == "round 2"
    assert got["none"].decision == DONE  # nobody open needs it


def test_each_setting_against_its_own_twin() -> None:
    scores = {
        "aug=none n=100": BASE,
        "aug=ada n=100": shifted(-30),
        "aug=none n=1000": shifted(-50),
        "aug=ada n=1000": shifted(-50.2),
    }
    twins = {"aug=ada n=100": "aug=none n=100", "aug=ada n=1000": "aug=none n=1000"}
    got = by_name(decide(scores, twins, alpha=0.001))
    assert got["aug=ada n=100"].baseline == "aug=none n=100"
    assert got["aug=ada n=1000"].baseline == "aug=none n=1000"
    assert got["aug=ada n=100"].vs_baseline.delta == pytest.approx(-30 + 0.0, abs=1.0)


def test_unknown_baseline_is_refused() -> None:
    with pytest.raises(ValueError, match="not one of the settings"):
        decide({"a": BASE}, "none")
